from indicators import access


def roles(request):
    """The current user's roles, for the navigation only (services check access again)."""
    user_roles = access.roles(request.user) if hasattr(request, "user") else frozenset()
    return {"user_roles": user_roles}
