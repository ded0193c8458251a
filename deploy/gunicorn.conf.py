"""gunicorn settings for Siaga (`gunicorn --config /opt/siaga/deploy/gunicorn.conf.py`); docs/deploy.md.

Listens on loopback only: nginx is the way in. The environment (/etc/siaga/siaga.env, loaded by
systemd) can adjust the size: WEB_BIND, WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT, WEB_MAX_REQUESTS.
"""

import os
import shutil
from pathlib import Path

wsgi_app = "siaga.wsgi:application"
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# Processes × threads = requests served at once. A process per core, plus one, with a few threads each
# (requests wait mostly on PostgreSQL).
workers = int(os.environ.get("WEB_WORKERS", str((os.cpu_count() or 1) + 1)))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))  # a PDF or an export can take a while
graceful_timeout = 30
# One request per connection: nginx opens a loopback connection for each. A kept-alive connection would
# let a worker that exits (a restart) drop a request already on its way to it.
keepalive = 0
# Workers are not recycled after a number of requests unless WEB_MAX_REQUESTS says so: a gthread worker
# that exits after its last request closes the connections it has accepted and not yet read, and the
# request on each is lost (the load test measured 4 failed POSTs in 24,250 requests with 2,000, none
# without; the workers' memory levels off at about 250 MiB without it: docs/load.md).
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# nginx logs every request (with its request id); gunicorn writes only its own messages to stderr.
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "siaga-web"
# X-Forwarded-Proto is believed from nginx on loopback only (Siaga itself reads it with BEHIND_PROXY=true).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1")


def on_starting(server):  # type: ignore[no-untyped-def]
    """Start the metrics of the worker processes afresh (PROMETHEUS_MULTIPROC_DIR, see siaga.core.metrics)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True, mode=0o700)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """Forget the live gauges of a worker that exited (its counters are kept and still added up)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
