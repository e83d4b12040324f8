"""Admin of the plan's structure, users and roles, and the audit mixin every admin uses."""

import logging

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from objectives.models import (
    ActionResponsible,
    Component,
    Directorate,
    Entity,
    NationalObjective,
    NationalSpecificObjective,
    PipTypology,
    Plan,
    PlanVersion,
    Resolution,
    RiskOpportunity,
    Role,
    Scenario,
    ScenarioDirection,
    SourceDefect,
    StaffProfile,
    StrategicAction,
    StrategicObjective,
    StrategicVariable,
    Subcomponent,
    Trend,
    VariableGroup,
    responsibles_prefetch,
)

admin.site.site_header = "PESEM – administración"
admin.site.site_title = "PESEM"
admin.site.index_title = "Datos del plan"

audit = logging.getLogger("pesem.audit")


class AuditedAdmin:
    """Mixin for every ModelAdmin: each add, change and delete made in admin writes one line to
    the "pesem.audit" log with the acting user, like the services' writes. Django calls these
    hooks after a successful save (before a delete), also for bulk deletes and for the inlines
    of the page (listed in the change message)."""

    def log_addition(self, request, obj, message):
        _audit_admin_write(request, "add", obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        _audit_admin_write(request, "change", obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            _audit_admin_write(request, "delete", obj, [])
        return super().log_deletions(request, queryset)


def _audit_admin_write(request, operation: str, obj, message) -> None:
    audit.info(
        "write",
        extra={
            "user": request.user.get_username(),
            "via": "admin",
            "operation": operation,
            "what": obj._meta.model_name,
            "id": obj.pk,
            "object": str(obj)[:200],
            "changes": message,
        },
    )


@admin.register(Plan)
class PlanAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "short_name", "plan_type", "entity", "frequency", "start_year"]
    list_filter = ["plan_type", "entity"]
    search_fields = ["code", "name", "vision", "desired_scenario"]


@admin.register(Entity)
class EntityAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "sector"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Resolution)
class ResolutionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["__str__", "date", "issuer", "ceplan_oficio", "known"]
    list_filter = ["known"]
    search_fields = ["number", "issuer", "ceplan_oficio"]


@admin.register(PlanVersion)
class PlanVersionAdmin(AuditedAdmin, admin.ModelAdmin):
    """A version is edited only while it is a draft (borrador); earlier versions are kept as
    they were approved, so admin shows them read-only."""

    list_display = ["plan", "kind", "horizon_start", "horizon_end", "state", "resolution"]
    list_filter = ["plan", "kind", "state"]
    readonly_fields = ["created_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_read_only:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_read_only:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Directorate)
class DirectorateAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "is_planning_office"]
    list_filter = ["is_planning_office"]
    search_fields = ["code", "name"]


class SubcomponentInline(admin.TabularInline):
    model = Subcomponent
    extra = 0


@admin.register(Component)
class ComponentAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["name", "definition"]
    inlines = [SubcomponentInline]


@admin.register(Subcomponent)
class SubcomponentAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "component"]
    list_filter = ["component"]
    search_fields = ["code", "name", "definition"]


@admin.register(Trend)
class TrendAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "pertinence",
        "validity",
        "evidence",
        "score",
        "published_score",
    ]
    list_filter = ["components"]
    search_fields = ["name"]
    filter_horizontal = ["components"]

    @admin.display(description="puntaje calculado")
    def score(self, obj):
        return obj.score


@admin.register(VariableGroup)
class VariableGroupAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(StrategicVariable)
class StrategicVariableAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "group_codes"]
    list_filter = ["groups"]
    search_fields = ["name", "definition"]
    filter_horizontal = ["groups"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="grupos")
    def group_codes(self, obj):
        return ", ".join(g.code for g in obj.groups.all())


class ScenarioDirectionInline(admin.TabularInline):
    model = ScenarioDirection
    extra = 0


@admin.register(Scenario)
class ScenarioAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["number", "description"]
    search_fields = ["description"]
    inlines = [ScenarioDirectionInline]


@admin.register(RiskOpportunity)
class RiskOpportunityAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["kind", "number", "text"]
    list_filter = ["kind", "scenarios"]
    search_fields = ["text"]
    filter_horizontal = ["scenarios"]


def _responsible_codes(action: StrategicAction) -> str:
    """The codes joined as Cuadro 6 prints them, in its order ("DGA-DAO-DGE"); needs
    `responsibles_prefetch()` to be in that order."""
    return "-".join(d.code for d in action.responsibles.all())


class ActionInline(admin.StackedInline):
    model = StrategicAction
    fk_name = "objective"
    extra = 0
    # Responsibles are edited, in Cuadro 6's order, on the action's own page.
    fields = ["code", "order", "parent", "name", "importance", "responsible_codes"]
    readonly_fields = ["responsible_codes"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(responsibles_prefetch())

    @admin.display(description="responsables (orden del Cuadro 6)")
    def responsible_codes(self, obj):
        return _responsible_codes(obj) if obj.pk else ""


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["name", "description"]
    inlines = [ActionInline]


class ResponsibleInline(admin.TabularInline):
    """The responsible directorates in Cuadro 6's order: position 1 is listed first."""

    model = ActionResponsible
    fk_name = "strategicaction"
    extra = 0
    fields = ["position", "directorate"]
    ordering = ["position", "id"]
    verbose_name = "responsable"
    verbose_name_plural = "responsables (en el orden del Cuadro 6)"


class SubActionInline(admin.TabularInline):
    model = StrategicAction
    fk_name = "parent"
    extra = 0
    fields = ["code", "order", "name", "objective"]
    verbose_name = "subacción"
    verbose_name_plural = "subacciones"


@admin.register(StrategicAction)
class StrategicActionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "objective", "importance", "responsible_codes", "parent"]
    list_filter = ["objective", "importance", "responsibles"]
    search_fields = ["code", "name", "description"]
    list_select_related = ["objective", "parent"]
    inlines = [ResponsibleInline, SubActionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(responsibles_prefetch())

    @admin.display(description="responsables")
    def responsible_codes(self, obj):
        return _responsible_codes(obj)


class SpecificObjectiveInline(admin.StackedInline):
    model = NationalSpecificObjective
    extra = 0


@admin.register(NationalObjective)
class NationalObjectiveAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [SpecificObjectiveInline]


@admin.register(NationalSpecificObjective)
class NationalSpecificObjectiveAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "national_objective"]
    search_fields = ["name"]


@admin.register(PipTypology)
class PipTypologyAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["number", "name", "result_indicator"]
    search_fields = ["name", "objective", "result_indicator"]


@admin.register(SourceDefect)
class SourceDefectAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["location", "text", "decision"]
    list_filter = ["location"]
    search_fields = ["text", "decision"]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = "dirección"


class PesemUserAdmin(AuditedAdmin, UserAdmin):
    """Administrators manage users and their roles; only a superuser grants superuser status
    or permissions one by one, and only a superuser changes a superuser's account."""

    inlines = [StaffProfileInline]
    # The roles first and the hundred permission names folded away, so the directorate (the
    # inline below) is in sight; the dates are facts, not inputs.
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Datos personales", {"fields": ["first_name", "last_name", "email"]}),
        ("Roles", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (
            "Permisos sueltos (solo superusuario)",
            {"fields": ["user_permissions"], "classes": ["collapse"]},
        ),
        ("Fechas", {"fields": ["last_login", "date_joined"]}),
    ]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "directorate",
        "role_names",
        "is_staff",
        "is_active",
    ]
    list_filter = ["groups", "profile__directorate", "is_staff", "is_active"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("profile__directorate")
            .prefetch_related("groups")
        )

    @admin.display(description="dirección")
    def directorate(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.directorate.code if profile else "—"

    @admin.display(description="roles")
    def role_names(self, obj):
        return ", ".join(g.name for g in obj.groups.all())

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class PesemGroupAdmin(AuditedAdmin, GroupAdmin):
    """Only a superuser changes what a group may do (the administrador group cannot widen its
    own rights). The role groups are named in code (objectives.models.Role): renaming or
    deleting one would silently take the role away from its members."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("permissions")
        if obj is not None and obj.name in Role.values:
            fields.append("name")
        return fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.name in Role.values:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(User)
admin.site.register(User, PesemUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, PesemGroupAdmin)


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["user", "directorate"]
    list_filter = ["directorate"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "directorate"]
