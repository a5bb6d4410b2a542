"""Gunicorn settings for Trellis (`make serve`, deploy/trellis-web.service), from the environment.

TRELLIS_BIND           address:port or unix:/path to listen on (default 127.0.0.1:8000).
TRELLIS_WEB_WORKERS    worker processes (default 2 per CPU plus 1).
TRELLIS_WEB_THREADS    threads per worker (default 1; more than 1 uses gthread workers).
TRELLIS_WEB_TIMEOUT    seconds a request may run before its worker is restarted (default 300:
                       a 100,000-row import is read within the request until background jobs exist).
TRELLIS_ACCESS_LOG     file for the access log, "-" for standard output (default "-").
"""

import multiprocessing
import os

wsgi_app = "trellis.wsgi:application"
bind = [address.strip() for address in os.environ.get("TRELLIS_BIND", "127.0.0.1:8000").split(",")]
workers = int(os.environ.get("TRELLIS_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("TRELLIS_WEB_THREADS", "1"))
timeout = int(os.environ.get("TRELLIS_WEB_TIMEOUT", "300"))
graceful_timeout = 30
# A worker is replaced after this many requests (with jitter, so not all at once): memory a
# large import leaves behind is given back.
max_requests = 1000
max_requests_jitter = 100

# The access log records the method, path (pupil ids, never names), status, size and time; query
# strings are the register's filters. The client address is the proxy's: nginx logs the real one.
accesslog = os.environ.get("TRELLIS_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'

# Gunicorn's control socket is one per user by default, so two app processes on one machine would
# share it; nothing here uses it.
control_socket_disable = True
