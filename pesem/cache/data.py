"""The data version and the cache keys: the one place that knows when cached reads are stale.

Every committed write to the plan's data (any model of our apps, whatever the door: page,
service, import, admin, command) bumps DataVersion right after its transaction commits, before
the request that made it answers; readers read the version first and then the cache under a key
that contains it. So a reader never gets a page built before the last acknowledged write, in
any process: the cache is Django's (database table by default, Redis with REDIS_URL), shared
by every process. Bulk operations that send no signals (load_plan, restore, refresh_statuses)
call bump() themselves.

Two counters, one row:
- `number` grows with every write. Anything may be keyed on it.
- `official` grows with every write except one that only touches a draft yearly value (in
  state borrador before and after, or a draft deleted). Only what never shows a draft value,
  to anyone, may be keyed on it (pagecache.DRAFT_BLIND, the portal):
  a registrar saving drafts all morning then leaves the dashboards kept. The stored yearly
  statuses count no draft: indicators.workflow.status does not recompute them for a draft saved, and
  any other write that does is official anyway. What shows the drafts of one indicator only
  (its page) may be keyed on `official` plus value_history_mark(its code)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from indicators.models import Indicator, IndicatorValue
from indicators.workflow import status
from objectives import plans
from pesem.models import DataVersion

T = TypeVar("T")
WATCHED_APPS = ("objectives", "indicators", "actors", "pesem")
# Rows that are not the plan's data: mail queue, API tokens, the version itself, the report
# files built per version (pesem.report.files), rate-limit counters (pesem.limits.rate).
IGNORED_MODELS = {"outboundmail", "apitoken", "dataversion", "preparedreport", "ratecounter"}
TIMEOUT = 24 * 3600  # entries of old versions are never read again; they expire


CURRENT_SQL = f"SELECT number, official FROM {DataVersion._meta.db_table} WHERE id = 1"  # noqa: S608


class Versions(NamedTuple):
    number: int  # every write
    official: int  # every write but draft-only ones


def current() -> Versions:
    """Both counters, one query. Read them BEFORE reading the data a cached entry is built
    from."""
    # Raw SQL: read on every request of a kept page, and the ORM's compiling costs as much as
    # the query.
    with connection.cursor() as cursor:
        cursor.execute(CURRENT_SQL)
        row = cursor.fetchone()
    return Versions(int(row[0]), int(row[1])) if row else Versions(0, 0)


_VALUE_HISTORY = IndicatorValue.history.model._meta
# The history's own index on indicator_id (a foreign key of the historical model) serves it.
VALUE_HISTORY_SQL = (
    f"SELECT COUNT(*), MAX(h.{_VALUE_HISTORY.pk.column})"  # noqa: S608
    f" FROM {_VALUE_HISTORY.db_table} h JOIN {Indicator._meta.db_table} i"
    f" ON i.{Indicator._meta.pk.column} = h.{_VALUE_HISTORY.get_field('indicator').column}"
    f" WHERE i.{Indicator._meta.get_field('code').column} = %s"
)


def value_history_mark(code: str) -> str:
    """A mark that moves with every committed save or delete of the yearly values of the
    indicator `code`, drafts included (one query): each writes a django-simple-history row.
    The number of rows, not only the last id: ids are handed out at insert, so a writer that
    commits after a later-numbered one would not move the last id. Read it, like the version,
    before the data it stamps."""
    with connection.cursor() as cursor:
        cursor.execute(VALUE_HISTORY_SQL, [code])
        count, last = cursor.fetchone()
    return f"values:{count}:{last}"


def current_version() -> int:
    """The version every write moves (one query)."""
    return current().number


def bump(*, drafts_only: bool = False) -> None:
    """Mark the data as changed now (after the caller's transaction commits). One bump per
    transaction and kind however many rows it writes (a plan load writes thousands).
    `drafts_only`: the write touched nothing but drafts (the official counter stays)."""
    callback = _bump_drafts if drafts_only else _bump_all
    connection = transaction.get_connection()
    # run_on_commit holds (savepoint ids, callable, robust) for the open transaction.
    if connection.in_atomic_block and any(e[1] is callback for e in connection.run_on_commit):
        return
    transaction.on_commit(callback)


def _bump_all() -> None:
    _bump(official=True)


def _bump_drafts() -> None:
    _bump(official=False)


def _bump(*, official: bool) -> None:
    changes: dict[str, Any] = {"number": F("number") + 1, "changed_at": timezone.now()}
    if official:
        changes["official"] = F("official") + 1
    if not DataVersion.objects.filter(pk=1).update(**changes):
        DataVersion.objects.get_or_create(
            pk=1,
            defaults={"number": 1, "official": int(official), "changed_at": timezone.now()},
        )


def key(*parts: object, version: int | None = None, official: bool = False) -> str:
    """A cache key for these parts at the current (or given) data version; with `official`,
    at the official counter (only for what never shows a draft). Per shown plan."""
    if version is None:
        versions = current()
        version = versions.official if official else versions.number
    shown = plans.shown_code()
    if shown != plans.SHOWN_CODE:
        # Another plan's pages and files (/planes/<code>/): kept apart from the PESEM's, whose
        # keys stay as they were.
        parts = (*parts, f"plan={shown}")
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"pesem:{'o' if official else 'v'}{version}:{digest}"


def cached(
    parts: Iterable[object],
    build: Callable[[], T],
    *,
    version: int | None = None,
    official: bool = False,
) -> T:
    """The value cached under `parts` at the data version (`official`: see key()), built
    once per version."""
    if not settings.PESEM_PAGE_CACHE:
        return build()
    k = key(*parts, version=version, official=official)
    value: Any = cache.get(k)
    if value is None:
        value = build()
        cache.set(k, value, TIMEOUT)
    return value


def _drafts_only(**kwargs: Any) -> bool:
    """A yearly value kept a draft (indicators.workflow.status.draft_only). Only values: draft
    action
    reports show their state on the objective and directorate pages ("en ejecución (42 %),
    borrador"), so they are official writes."""
    return status.draft_only(
        kwargs.get("instance"),
        created=bool(kwargs.get("created")),
        deleted=kwargs.get("signal") is post_delete,
    )


def _changed(sender: type, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixture loading: the command bumps once at the end
    meta = sender._meta
    if meta.model_name in IGNORED_MODELS or meta.model_name.startswith("historical"):
        return
    if meta.label_lower == "auth.user" and kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a login changes no figure
    bump(drafts_only=_drafts_only(**kwargs))


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
