import functools

from indicators import access, deadlines, inbox


def roles(request):
    """The current user's roles, for the navigation only (services check access again), and
    for registrars and validators `open_tasks`, the number on the menu's «Mis tareas» badge
    (indicators.inbox.open_task_count: one or two queries). It is a cached callable, so the
    count runs only on pages that draw the menu (not in the admin), and once per page."""
    user_roles = access.roles(request.user) if hasattr(request, "user") else frozenset()
    context = {"user_roles": user_roles}
    if user_roles & inbox.TASK_ROLES:
        user = request.user
        context["open_tasks"] = functools.cache(
            lambda: inbox.open_task_count(user=user, today=deadlines.today())
        )
    return context
