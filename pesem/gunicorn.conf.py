"""gunicorn settings for `make serve` (production-like). Every value comes from the environment."""

import multiprocessing
import os

bind = os.environ.get("PESEM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PESEM_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("PESEM_THREADS", "1"))
timeout = int(os.environ.get("PESEM_TIMEOUT", "60"))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("PESEM_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """Refuse a production start that is not configured for production."""
    from django.core.exceptions import ImproperlyConfigured

    debug = os.environ.get("DJANGO_DEBUG", "0").strip().lower() in {"1", "true", "yes", "on"}
    if debug:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG está activado: no se inicia el servidor de producción. "
            "Quite DJANGO_DEBUG (o póngalo en 0)."
        )
    if not os.environ.get("DJANGO_SECRET_KEY"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY no está definido: no se inicia el servidor de producción."
        )
