from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import ActionReport, Indicator, IndicatorFlag, IndicatorValue, Target


class ValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    fields = [
        "year",
        "numerator",
        "denominator",
        "value",
        "published_text",
        "source",
        "origin",
        "note",
    ]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["kind", "year", "value", "published_text", "source", "note"]


class FlagInline(admin.TabularInline):
    model = IndicatorFlag
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "alias",
        "name",
        "level",
        "objective",
        "variable",
        "responsible",
        "direction",
        "status_note",
    ]
    list_filter = [
        "level",
        "objective",
        "variable",
        "responsible",
        "direction",
        "direction_published",
    ]
    search_fields = ["code", "alias", "name", "numerator", "denominator", "definition"]
    list_select_related = ["objective", "variable", "responsible"]
    filter_horizontal = ["articulated_objectives"]
    inlines = [ValueInline, TargetInline, FlagInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "year", "numerator", "denominator", "value", "source", "origin"]
    list_filter = [
        "year",
        "origin",
        "indicator__level",
        "indicator__objective",
        "indicator__responsible",
    ]
    search_fields = ["indicator__code", "indicator__alias", "indicator__name"]
    list_select_related = ["indicator"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "kind", "year", "value", "source"]
    list_filter = ["kind", "year", "source", "indicator__objective"]
    search_fields = ["indicator__code", "indicator__alias", "indicator__name"]
    list_select_related = ["indicator"]


@admin.register(IndicatorFlag)
class IndicatorFlagAdmin(admin.ModelAdmin):
    list_display = ["indicator", "text", "source"]
    list_filter = ["source", "indicator__level"]
    search_fields = ["indicator__code", "text"]
    list_select_related = ["indicator"]


@admin.register(ActionReport)
class ActionReportAdmin(SimpleHistoryAdmin):
    list_display = ["action", "directorate", "year", "execution", "percent", "state"]
    list_filter = ["state", "year", "execution", "directorate", "action__objective"]
    search_fields = ["action__code", "action__name", "description"]
    list_select_related = ["action", "directorate"]
