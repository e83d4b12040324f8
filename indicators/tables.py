"""The tablero's indicator table: display in render_*, export values in value_*."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from indicators import progress
from indicators.selectors import DashboardRow


def _targets(row: DashboardRow, year: int) -> str:
    published = row.facts.published_targets(year)
    text = " / ".join(f"{progress.fmt(t.value)} ({t.source})" for t in published)
    return text or "sin meta"


class DashboardTable(tables.Table):
    code = tables.Column("Código", accessor="indicator__code")
    name = tables.Column("Indicador", accessor="indicator__name", orderable=False)
    objective = tables.Column("Objetivo", accessor="objective_key")
    responsible = tables.Column("Responsable", accessor="responsible_key")
    latest = tables.Column("Último valor", accessor="latest_key")
    target_2016 = tables.Column("Meta 2016", accessor="indicator__code", orderable=False)
    target_2021 = tables.Column("Meta 2021", accessor="indicator__code", orderable=False)
    achievement = tables.Column("Cumplimiento", accessor="achievement_key")
    light = tables.Column("Semáforo", accessor="light_key")
    trajectory = tables.Column("Trayectoria a 2021", accessor="status__trajectory__status")
    flags = tables.Column("Observaciones", accessor="facts__flags", orderable=False)

    class Meta:
        attrs = {"class": "dashboard", "id": "dashboard-table"}
        order_by = ("objective", "code")
        orderable = True
        empty_text = "Ningún indicador cumple los filtros."

    def render_code(self, record: DashboardRow):
        i = record.indicator
        return format_html(
            '<a href="{}">{}</a>', reverse("indicator_detail", args=[i.code]), i.code
        )

    def render_objective(self, record: DashboardRow):
        return f"OE{record.indicator.objective.number}" if record.indicator.objective else "—"

    def render_responsible(self, record: DashboardRow):
        return record.indicator.responsible.code if record.indicator.responsible else "—"

    def render_latest(self, record: DashboardRow):
        s = record.status
        if s.latest_year is None:
            return mark_safe('<span class="muted">sin dato</span>')  # noqa: S308 - constant
        return format_html("{} <small>({})</small>", progress.fmt(s.latest_value), s.latest_year)

    def render_target_2016(self, record: DashboardRow):
        return _targets(record, 2016)

    def render_target_2021(self, record: DashboardRow):
        return _targets(record, 2021)

    def render_achievement(self, record: DashboardRow):
        result = record.status.achievement
        if result.percent is None:
            return format_html('<span class="muted">{}</span>', result.note)
        return f"{progress.fmt(result.percent, 1)} %"

    def render_light(self, record: DashboardRow):
        light = record.status.light
        return format_html(
            '<span class="light light-{}"><span aria-hidden="true">●</span> {}</span>',
            light.value,
            progress.LIGHT_LABELS[light],
        )

    def render_trajectory(self, record: DashboardRow):
        return progress.TRAJECTORY_LABELS[record.status.trajectory.status]

    def render_flags(self, record: DashboardRow):
        count = len(record.facts.flags)
        return (
            format_html('<span title="{}">{}</span>', " | ".join(record.facts.flags), count)
            if count
            else "—"
        )

    # Exports carry plain values, the same numbers the page shows.
    def value_code(self, record: DashboardRow):
        return record.indicator.code

    def value_objective(self, record: DashboardRow):
        return self.render_objective(record)

    def value_responsible(self, record: DashboardRow):
        return self.render_responsible(record)

    def value_latest(self, record: DashboardRow):
        v = record.status.latest_value
        return float(v) if v is not None else ""

    def value_achievement(self, record: DashboardRow):
        p = record.status.achievement.percent
        return round(float(p), 2) if p is not None else record.status.achievement.note

    def value_light(self, record: DashboardRow):
        return progress.LIGHT_LABELS[record.status.light]

    def value_flags(self, record: DashboardRow):
        return " | ".join(record.facts.flags)
