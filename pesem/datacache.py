"""The data version and the cache keys: the one place that knows when cached reads are stale.

Every committed write to the plan's data (any model of our apps, whatever the door: page,
service, import, admin, command) bumps DataVersion right after its transaction commits, before
the request that made it answers; readers read the version first and then the cache under a key
that contains it. So a reader never gets a page built before the last acknowledged write, in
any process: the cache is Django's (database table by default, Redis with REDIS_URL), shared
by every process. Bulk operations that send no signals (load_plan, restore, refresh_statuses)
call bump() themselves."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from pesem.models import DataVersion

T = TypeVar("T")
WATCHED_APPS = ("objectives", "indicators", "actors", "pesem")
# Rows that are not the plan's data: mail queue, API tokens, the version itself.
IGNORED_MODELS = {"outboundmail", "apitoken", "dataversion"}
TIMEOUT = 24 * 3600  # entries of old versions are never read again; they expire


def current_version() -> int:
    """One query. Read it BEFORE reading the data a cached entry is built from."""
    number = DataVersion.objects.filter(pk=1).values_list("number", flat=True).first()
    return number or 0


def bump() -> None:
    """Mark the data as changed now (after the caller's transaction commits). One bump per
    transaction however many rows it writes (a plan load writes thousands)."""
    connection = transaction.get_connection()
    # run_on_commit holds (savepoint ids, callable, robust) for the open transaction.
    if connection.in_atomic_block and any(e[1] is _bump_now for e in connection.run_on_commit):
        return
    transaction.on_commit(_bump_now)


def _bump_now() -> None:
    updated = DataVersion.objects.filter(pk=1).update(
        number=F("number") + 1, changed_at=timezone.now()
    )
    if not updated:
        DataVersion.objects.get_or_create(
            pk=1, defaults={"number": 1, "changed_at": timezone.now()}
        )


def key(*parts: object, version: int | None = None) -> str:
    """A cache key for these parts at the current (or given) data version."""
    number = current_version() if version is None else version
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"pesem:v{number}:{digest}"


def cached(parts: Iterable[object], build: Callable[[], T], *, version: int | None = None) -> T:
    """The value cached under `parts` at the data version, built once per version."""
    if not settings.PESEM_PAGE_CACHE:
        return build()
    k = key(*parts, version=version)
    value: Any = cache.get(k)
    if value is None:
        value = build()
        cache.set(k, value, TIMEOUT)
    return value


def _changed(sender: type, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixture loading: the command bumps once at the end
    meta = sender._meta
    if meta.model_name in IGNORED_MODELS or meta.model_name.startswith("historical"):
        return
    if meta.label_lower == "auth.user" and kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a login changes no figure
    bump()


def connect() -> None:
    """Called from PesemConfig.ready(): every model of our apps, and users and groups (names
    and roles appear on pages)."""
    models = [m for app in WATCHED_APPS for m in apps.get_app_config(app).get_models()]
    models += [apps.get_model("auth", "User"), apps.get_model("auth", "Group")]
    for model in models:
        uid = f"datacache-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}"
            )
