"""Display helpers: labels and the Peruvian number format. No arithmetic here."""

from decimal import Decimal

from django import template

from indicators import numbers, progress

register = template.Library()


@register.filter
def num(value, places=2):
    """1020000 -> 1,020,000.00; None -> sin dato (indicators.numbers.format_number)."""
    if value is None or value == "":
        return progress.NO_VALUE
    if not isinstance(value, Decimal | int | float):
        value = Decimal(str(value))
    return numbers.format_number(value, int(places))


@register.filter
def light_label(light) -> str:
    return progress.LIGHT_LABELS.get(progress.Light(light), "gris") if light else "gris"


@register.filter
def trajectory_label(status) -> str:
    return progress.TRAJECTORY_LABELS.get(progress.TrajectoryStatus(status), "")


@register.filter
def percent(result) -> str:
    """An Achievement as text: '96.3 %', or its reason when it has no number."""
    if result is None:
        return progress.NO_VALUE
    if result.percent is None:
        return result.note
    return f"{progress.fmt(result.percent, 1)} %"


@register.filter
def stored_percent(status) -> str:
    """A stored IndicatorYearStatus's achievement, as `percent` shows a live one."""
    if status.achievement is None:
        return status.achievement_note
    return f"{progress.fmt(status.achievement, 1)} %"
