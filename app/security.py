"""Security headers for every response."""

from urllib.parse import urlsplit

from flask import Flask, Response


def content_security_policy(htmx_cdn_url: str | None) -> str:
    script_sources = ["'self'"]
    if htmx_cdn_url:
        parts = urlsplit(htmx_cdn_url)
        script_sources.append(f"{parts.scheme}://{parts.netloc}")
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(script_sources),
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def init_security_headers(app: Flask) -> None:
    policy = content_security_policy(app.config["HTMX_CDN_URL"])

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["CANOPY_ENV"] == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
