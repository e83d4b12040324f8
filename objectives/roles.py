"""The role groups of domain.md, created after every migrate (idempotent)."""

from django.contrib.auth.models import Group, Permission

from objectives.models import Role

# Administrators keep the plan's structure, actors and users current in Django admin.
ADMIN_APPS = ("objectives", "indicators", "actors")
ADMIN_AUTH_MODELS = ("user", "group")


def ensure_role_groups(**kwargs) -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    admin_group = Group.objects.get(name=Role.ADMINISTRATOR)
    perms = Permission.objects.filter(
        content_type__app_label__in=ADMIN_APPS
    ) | Permission.objects.filter(
        content_type__app_label="auth", content_type__model__in=ADMIN_AUTH_MODELS
    )
    missing = perms.exclude(group=admin_group)
    if missing.exists():
        admin_group.permissions.add(*missing)


def connect(app_config) -> None:
    from django.db.models.signals import post_migrate

    # No sender: permissions of each app exist only after that app's own post_migrate, so
    # the last call of a migrate run sees them all. Each call is a handful of queries.
    post_migrate.connect(ensure_role_groups, dispatch_uid="pesem_role_groups")
