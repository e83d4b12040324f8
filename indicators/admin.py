"""Admin of indicators and their data-quality flags. Yearly values, action reports and targets
are only shown here: they change through indicators.services, on the application's pages,
where the workflow's rules apply (lock of what is validated, version, reason, history with the
user, audit line)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import (
    ActionReport,
    Indicator,
    IndicatorFlag,
    IndicatorValue,
    OutboundMail,
    ReportConclusion,
    ReportingDeadline,
    Target,
    TargetRevision,
)
from objectives.admin import AuditedAdmin

READ_ONLY_NOTE = (
    "Solo lectura: los valores anuales, los reportes de acciones y las metas se registran, "
    "envían, validan y reabren (con motivo) en las páginas de la aplicación, donde se aplican "
    "las reglas del flujo de validación y queda el historial."
)


class WorkflowReadOnly:
    """Mixin: no add, change or delete through admin forms, inlines or actions (a delete of a
    parent that would cascade to these rows is refused too, as Django asks every registered
    admin on the way)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WorkflowHistoryAdmin(WorkflowReadOnly, SimpleHistoryAdmin):
    """Read-only, with the change history on view. simple_history's "revert" form saves
    whatever version it is given, with view permission alone: it is refused here."""

    readonly_fields = ["where_to_change"]

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "where_to_change"]
        return ["where_to_change", *fields]

    def _require_valid_id(self, *ids: str) -> None:
        """simple_history looks the object up with the id as typed: "x" failed with a 500."""
        for value in ids:
            try:
                self.model._meta.pk.to_python(unquote(value))
            except ValidationError as exc:
                raise Http404("No existe ese registro.") from exc

    def history_view(self, request, object_id, extra_context=None):
        self._require_valid_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(READ_ONLY_NOTE)
        self._require_valid_id(object_id)
        try:
            int(version_id)
        except ValueError as exc:
            raise Http404("No existe esa versión.") from exc
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"subtitle": READ_ONLY_NOTE, **(extra_context or {})}
        )


def _links(*pairs: tuple[str, str]) -> str:
    """The read-only note and links to the pages where the change is made."""
    return format_html(
        "{}<br>{}", READ_ONLY_NOTE, format_html_join(" · ", '<a href="{}">{}</a>', pairs)
    )


class ValueInline(WorkflowReadOnly, admin.TabularInline):
    model = IndicatorValue
    extra = 0
    verbose_name_plural = "valores anuales (solo lectura: se registran en la página del indicador)"
    fields = [
        "year",
        "numerator",
        "denominator",
        "value",
        "state",
        "published_text",
        "source",
        "origin",
        "note",
    ]


class TargetInline(WorkflowReadOnly, admin.TabularInline):
    model = Target
    extra = 0
    verbose_name_plural = (
        "líneas de base y metas (solo lectura: la oficina de planeamiento fija metas en la "
        "página del indicador)"
    )
    fields = ["kind", "year", "year_published", "value", "published_text", "source", "note"]


class FlagInline(admin.StackedInline):  # a label on every field (a table row has none)
    model = IndicatorFlag
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = [
        "code",
        "alias",
        "name",
        "level",
        "objective",
        "variable",
        "responsible",
        "direction",
        "decimals",
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
    readonly_fields = ["values_and_targets"]
    inlines = [ValueInline, TargetInline, FlagInline]

    @admin.display(description="valores y metas")
    def values_and_targets(self, obj):
        if obj.pk is None:
            return READ_ONLY_NOTE
        return _links(
            (reverse("indicator_detail", args=[obj.code]), "Página del indicador"),
            (reverse("target_edit", args=[obj.code]), "Metas de la oficina de planeamiento"),
        )


@admin.register(IndicatorValue)
class IndicatorValueAdmin(WorkflowHistoryAdmin):
    list_display = [
        "indicator",
        "year",
        "numerator",
        "denominator",
        "value",
        "state",
        "source",
        "origin",
    ]
    list_filter = [
        "year",
        "state",
        "origin",
        "indicator__level",
        "indicator__objective",
        "indicator__responsible",
    ]
    search_fields = ["indicator__code", "indicator__alias", "indicator__name"]
    list_select_related = ["indicator"]

    @admin.display(description="dónde se modifica")
    def where_to_change(self, obj):
        code = obj.indicator.code
        return _links(
            (reverse("indicator_detail", args=[code]), "Página del indicador (validar, reabrir)"),
            (reverse("value_entry", args=[code, obj.year]), "Formulario de registro"),
        )


@admin.register(Target)
class TargetAdmin(WorkflowHistoryAdmin):
    list_display = ["indicator", "kind", "year", "year_published", "value", "source"]
    list_filter = ["kind", "year", "source", "indicator__objective"]
    search_fields = ["indicator__code", "indicator__alias", "indicator__name"]
    list_select_related = ["indicator"]

    @admin.display(description="dónde se modifica")
    def where_to_change(self, obj):
        code = obj.indicator.code
        return _links(
            (reverse("indicator_detail", args=[code]), "Página del indicador"),
            (reverse("target_revisions"), "Revisiones de metas (oficina de planeamiento)"),
        )


@admin.register(TargetRevision)
class TargetRevisionAdmin(WorkflowHistoryAdmin):
    list_display = ["indicator", "year", "value", "reason", "resolution", "state", "proposed_by"]
    list_filter = ["state", "reason", "year"]
    search_fields = ["indicator__code", "rationale"]
    list_select_related = ["indicator", "resolution", "proposed_by"]

    @admin.display(description="dónde se modifica")
    def where_to_change(self, obj):
        return _links(
            (reverse("indicator_detail", args=[obj.indicator.code]), "Página del indicador"),
            (reverse("target_revisions"), "Revisiones de metas (oficina de planeamiento)"),
        )


@admin.register(IndicatorFlag)
class IndicatorFlagAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["indicator", "text", "source"]
    list_filter = ["source", "indicator__level"]
    search_fields = ["indicator__code", "text"]
    list_select_related = ["indicator"]


@admin.register(ActionReport)
class ActionReportAdmin(WorkflowHistoryAdmin):
    list_display = ["action", "directorate", "year", "execution", "percent", "state"]
    list_filter = ["state", "year", "execution", "directorate", "action__objective"]
    search_fields = ["action__code", "action__name", "description"]
    list_select_related = ["action", "directorate"]

    @admin.display(description="dónde se modifica")
    def where_to_change(self, obj):
        return _links(
            (
                reverse("report_entry", args=[obj.action.code, obj.year]),
                "Formulario de reporte (registradores de la dirección)",
            ),
            (reverse("validation_queue"), "Validación (oficina de planeamiento)"),
        )


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    """The mail outbox, read-only: what was sent, what waits and why (send_mail_outbox)."""

    list_display = ["created_at", "kind", "to_email", "subject", "sent_at", "skipped", "attempts"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["to_email", "subject"]
    readonly_fields = [f.name for f in OutboundMail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(admin.ModelAdmin):
    """Read-only here: the planning office sets dates at /calendario/, with a reason."""

    list_display = ["year", "due_date", "updated_by", "updated_at"]
    readonly_fields = ["year", "due_date", "updated_by", "updated_at"]

    def changelist_view(self, request, extra_context=None):
        pointer = format_html(
            "Las fechas límite las fija la oficina de planeamiento (rol validador) en "
            '<a href="{}">Calendario de reporte</a>, con un motivo; aquí solo se consultan. '
            "Un año sin fecha propia vence el {}.",
            reverse("calendar"),
            "31 de marzo del año siguiente",
        )
        return super().changelist_view(request, {"subtitle": pointer, **(extra_context or {})})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportConclusion)
class ReportConclusionAdmin(admin.ModelAdmin):
    """Read-only here: written and validated at /reporte/<año>/conclusiones/ (four eyes)."""

    list_display = ["year", "state", "updated_by", "validated_by", "updated_at"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in ReportConclusion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
