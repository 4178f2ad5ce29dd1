"""gunicorn settings for zhx, all from the environment (see the README's table).

``gunicorn -c gunicorn.conf.py`` is the whole command: the app, the bind address,
workers and threads, timeouts and JSON logs all come from here.
"""
import os
import glob
import tempfile


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "service:create_app()"
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", _cores())
threads = _int("GUNICORN_THREADS", 1)
# load lexicons and jieba once in the master, before forking: workers share the pages
preload_app = True
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# recycle workers now and then so a slow leak can never take the service down
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10
limit_request_line = 8190
limit_request_fields = 100
# gunicorn's runtime control socket sits at one path per user: two instances would share it
control_socket_disable = True

# /metrics must add up every worker: prometheus-client's multiprocess mode needs a
# directory, fresh for each start, set before the app (and prometheus_client) loads.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="zhx-prometheus-")
else:  # a given directory: keep it, drop only the metric files a previous run left there
    _d = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(_d, exist_ok=True)
    for _f in glob.glob(os.path.join(_d, "*.db")):
        os.remove(_f)


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)


accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("ZHX_LOG_LEVEL", "info").lower()
# one JSON object per line (the access log carries the response's X-Request-ID)
logger_class = "service.logging_setup.GunicornLogger"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "service.logging_setup.JsonFormatter"},
                   "raw": {"format": "%(message)s"}},
    "filters": {"request_id": {"()": "service.logging_setup.RequestIdFilter"}},
    "handlers": {
        "error": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
                  "stream": "ext://sys.stderr"},
        "access": {"class": "logging.StreamHandler", "formatter": "raw", "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["error"], "level": loglevel.upper()},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
