"""Canopy: archive a finished campaign, plant a tree."""

import logging
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import cli, errors, i18n, templating
from app.blueprints.account import bp as account_bp
from app.blueprints.auth import bp as auth_bp
from app.blueprints.campaigns import bp as campaigns_bp
from app.blueprints.footprint import bp as footprint_bp
from app.blueprints.footprint import public_bp as questionnaire_bp
from app.blueprints.impact import bp as impact_bp
from app.blueprints.main import bp as main_bp
from app.database import tune_sqlite
from app.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from app.htmx import init_htmx
from app.jobs import cli as jobs_cli
from app.logs import configure_logging, init_request_ids
from app.security import init_security_headers
from config import Config, finish_settings

log = logging.getLogger("canopy.app")


def create_app(overrides: dict | None = None) -> Flask:
    """Build a Canopy application; `overrides` replaces settings (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    settings = Config(app.instance_path).as_mapping()
    settings.update(overrides or {})
    app.config.from_mapping(finish_settings(settings))
    configure_logging(app.config["LOG_FORMAT"])

    init_extensions(app)
    for blueprint in (
        main_bp,
        auth_bp,
        account_bp,
        campaigns_bp,
        impact_bp,
        footprint_bp,
        questionnaire_bp,
    ):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    jobs_cli.init_app(app)
    init_request_ids(app)
    init_htmx(app)
    init_security_headers(app)
    trust_proxies(app)

    log.info("Canopy ready (%s)", app.config["CANOPY_ENV"])
    return app


def trust_proxies(app: Flask) -> None:
    """Read the client's address and scheme from the proxies in front, if any."""
    count = app.config["TRUSTED_PROXY_COUNT"]
    if count > 0:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )


def init_extensions(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    mail.init_app(app)
    limiter.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            tune_sqlite(db.engine)
