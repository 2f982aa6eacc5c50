"""gunicorn settings for Canopy's web process (`gunicorn -c gunicorn.conf.py`)."""

import os

bind = os.environ.get("BIND", "0.0.0.0:" + os.environ.get("PORT", "5000"))
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# An archive request waits on Tree-Nation (TREE_NATION_TIMEOUT for connecting
# and again for reading): the worker timeout must stay well above both.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A dialog for 500 campaigns is a GET line of about 5.5 KB.
limit_request_line = 8190
# gunicorn's control socket lives at one path per user: a second instance on the
# same host (several web processes, the rehearsal) would fail to bind it. Canopy
# is managed through signals and its process manager, so it is switched off.
control_socket_disable = True
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss rid=%({x-request-id}o)s'
wsgi_app = "wsgi:app"
