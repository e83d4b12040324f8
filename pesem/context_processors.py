"""What every rendered page's menu needs: the roles and the «Mis tareas» badge."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from indicators.workflow import inbox
from objectives import plans
from pesem.cache import personal
from pesem.published import reads


def roles(request: HttpRequest) -> dict[str, Any]:
    """The current user's roles, for the navigation only (services check access again), and
    for registrars and validators `open_tasks`, the number on the menu's «Mis tareas» badge
    (pesem.cache.personal: remembered in the session per data version). It is a cached callable, so
    the badge is looked at only on pages that draw the menu (not in the admin), and once per
    page."""
    user_roles = personal.roles(request)
    context: dict[str, Any] = {"user_roles": user_roles}
    if user_roles & inbox.TASK_ROLES:
        context["open_tasks"] = functools.cache(
            lambda: personal.open_task_count(request, user_roles)
        )
    return context


def portal_footer(request: HttpRequest) -> dict[str, Any]:
    """The public portal's foot (pesem.published.reads.portal_footer: last update, contact, the
    plan's
    document), read only when a portal page draws it (two queries)."""
    if not request.path.startswith(reverse("portal_home")):
        return {}
    return {"portal_footer": SimpleLazyObject(reads.portal_footer)}


def shown_plan(request: HttpRequest) -> dict[str, Any]:
    """The plan the page shows, for the header (no query: the middleware read it): its code
    and type (PESEM or PEI), and the plan switcher's address."""
    return {
        "shown_plan_code": getattr(request, "plan_code", None) or plans.SHOWN_CODE,
        "shown_plan_type": getattr(request, "plan_type", "PESEM"),
        "plan_switcher_url": f"{plans.site_prefix()}planes/",
    }
