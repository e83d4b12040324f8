"""Display helpers: labels and the Peruvian number format. No arithmetic here."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from indicators import progress
from lib import numbers

register = template.Library()


@register.filter
def num(value, places=2):
    """1020000 -> 1,020,000.00; None -> sin dato (lib.numbers.format_number).

    `places` is a number of decimals, or an indicator: `{{ v.value|num:indicator }}` shows
    the value with the indicator's one precision (lib.numbers.format_for), as every
    page, mail and file does."""
    if value is None or value == "":
        return progress.NO_VALUE
    if not isinstance(value, Decimal | int | float):
        value = Decimal(str(value))
    if hasattr(places, "decimals"):
        return numbers.format_for(places, value)
    return numbers.format_number(value, int(places))


@register.filter
def part(value) -> str:
    """A numerator or denominator as typed: the decimals it has, none added (2,850,000);
    "sin dato" for None (indicators.entry_rows.part_for_input)."""
    if value is None or value == "":
        return progress.NO_VALUE
    return numbers.format_for_input(Decimal(str(value)), 0)


@register.filter
def light_label(light) -> str:
    return progress.LIGHT_LABELS.get(progress.Light(light), "gris") if light else "gris"


@register.simple_tag
def light_badge(light) -> str:
    """A light as a coloured dot and its word, with the word as a tooltip: a tag instead of
    an included template, which cost a page with a light per row a tenth of its build."""
    label = light_label(light)
    return format_html(
        '<span class="light light-{}" title="Semáforo: {}"><span aria-hidden="true">●</span> {}'
        "</span>",
        light,
        label,
        label,
    )


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
    return f"{numbers.format_number(result.percent, 1)} %"


@register.filter
def stored_percent(status) -> str:
    """A stored IndicatorYearStatus's achievement, as `percent` shows a live one."""
    if status.achievement is None:
        return status.achievement_note
    return f"{numbers.format_number(status.achievement, 1)} %"
