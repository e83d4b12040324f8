from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from objectives.models import (
    Component,
    Directorate,
    NationalObjective,
    NationalSpecificObjective,
    PipTypology,
    Plan,
    RiskOpportunity,
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
)

admin.site.site_header = "PESEM – administración"
admin.site.site_title = "PESEM"
admin.site.index_title = "Datos del plan"


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "sector", "start_year", "end_year"]
    search_fields = ["name", "vision", "desired_scenario"]


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_planning_office"]
    list_filter = ["is_planning_office"]
    search_fields = ["code", "name"]


class SubcomponentInline(admin.TabularInline):
    model = Subcomponent
    extra = 0


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["name", "definition"]
    inlines = [SubcomponentInline]


@admin.register(Subcomponent)
class SubcomponentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "component"]
    list_filter = ["component"]
    search_fields = ["code", "name", "definition"]


@admin.register(Trend)
class TrendAdmin(admin.ModelAdmin):
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
class VariableGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(StrategicVariable)
class StrategicVariableAdmin(admin.ModelAdmin):
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
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["number", "description"]
    search_fields = ["description"]
    inlines = [ScenarioDirectionInline]


@admin.register(RiskOpportunity)
class RiskOpportunityAdmin(admin.ModelAdmin):
    list_display = ["kind", "number", "text"]
    list_filter = ["kind", "scenarios"]
    search_fields = ["text"]
    filter_horizontal = ["scenarios"]


class ActionInline(admin.StackedInline):
    model = StrategicAction
    fk_name = "objective"
    extra = 0
    fields = ["code", "order", "parent", "name", "importance", "responsibles"]
    filter_horizontal = ["responsibles"]
    show_change_link = True


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["name", "description"]
    inlines = [ActionInline]


class SubActionInline(admin.TabularInline):
    model = StrategicAction
    fk_name = "parent"
    extra = 0
    fields = ["code", "order", "name", "objective"]
    verbose_name = "subacción"
    verbose_name_plural = "subacciones"


@admin.register(StrategicAction)
class StrategicActionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "objective", "importance", "responsible_codes", "parent"]
    list_filter = ["objective", "importance", "responsibles"]
    search_fields = ["code", "name", "description"]
    filter_horizontal = ["responsibles"]
    list_select_related = ["objective", "parent"]
    inlines = [SubActionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("responsibles")

    @admin.display(description="responsables")
    def responsible_codes(self, obj):
        return "-".join(d.code for d in obj.responsibles.all())


class SpecificObjectiveInline(admin.StackedInline):
    model = NationalSpecificObjective
    extra = 0


@admin.register(NationalObjective)
class NationalObjectiveAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [SpecificObjectiveInline]


@admin.register(NationalSpecificObjective)
class NationalSpecificObjectiveAdmin(admin.ModelAdmin):
    list_display = ["name", "national_objective"]
    search_fields = ["name"]


@admin.register(PipTypology)
class PipTypologyAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "result_indicator"]
    search_fields = ["name", "objective", "result_indicator"]


@admin.register(SourceDefect)
class SourceDefectAdmin(admin.ModelAdmin):
    list_display = ["location", "text", "decision"]
    list_filter = ["location"]
    search_fields = ["text", "decision"]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = "dirección"


class PesemUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
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


admin.site.unregister(User)
admin.site.register(User, PesemUserAdmin)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "directorate"]
    list_filter = ["directorate"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "directorate"]
