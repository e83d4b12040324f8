"""What is public, decided once: the portal (pesem.published.reads, pesem.portal) and the
anonymous read API (pesem.api.selectors) both take their rows and filters from here.

- A workflow item (a yearly value, an action report, the report's conclusions) is public
  once validated, never before: no draft, returned or submitted item, nor the stored status's
  `preliminary` copy of a submitted value.
- A target's note is public unless the planning office set the target: the reason typed for
  it is internal.
- The narrative fields (analysis, measures, a value's note, a report's «qué se hizo») are
  public where the planning office chose so (PortalSettings); all off until it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from indicators import services
from indicators.models import ActionReport, IndicatorValue, Target, TargetRevision, WorkflowState
from pesem.models import PortalSettings

PUBLIC_STATE = WorkflowState.VALIDATED


def public_items() -> Q:
    """The workflow items (values, action reports, conclusions) the public may read."""
    return Q(state=PUBLIC_STATE)


def validated_values() -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.filter(public_items())


def validated_reports() -> QuerySet[ActionReport]:
    return ActionReport.objects.filter(public_items())


def public_target_note(target: Target, revision: TargetRevision | None = None) -> str:
    """A target's note as the public reads it. For a target the planning office set, never
    its internal rationale: the resolution that approved it, when its last approved
    `revision` names one (never who proposed or approved it)."""
    if target.source != services.PLANNING_OFFICE_SOURCE:
        return target.note
    resolution = revision.resolution if revision is not None else None
    if resolution is None or not resolution.known:
        return ""
    when = f" del {resolution.date:%d/%m/%Y}" if resolution.date else ""
    return f"Revisión aprobada por {resolution}{when}."


@dataclass(frozen=True)
class Narrative:
    """Which narrative fields PortalSettings publishes (all off until the office turns
    them on)."""

    analysis: bool = False
    measures: bool = False
    value_note: bool = False
    report_description: bool = False


def narrative() -> Narrative:
    """The stored choice (one query); all off when nobody has chosen yet."""
    s = PortalSettings.current()
    return Narrative(
        analysis=s.publish_analysis,
        measures=s.publish_measures,
        value_note=s.publish_value_note,
        report_description=s.publish_report_description,
    )
