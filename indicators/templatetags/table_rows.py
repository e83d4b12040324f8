"""A django-tables2 row written in Python: the stock template's loop over cells (a tag, a
lookup and an escape per cell) cost the tablero a fifth of its build. The bytes are those of
django_tables2/table.html's `table.tbody.row` block, whitespace included.

Each cell is the one BoundRow.get_cell gives, found the way it finds it, with what it works
out again for every cell (the column by its name, the accessor, the model field's choices, the
arguments of the render function) worked out once per column and table: a third of the
table's build. Cells this way does not cover (links, many-to-many columns, records that are
not model instances, accessors through a callable or a missing attribute) are left to
get_cell itself."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_tables2.columns import BoundColumn, ManyToManyColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.rows import BoundRow
from django_tables2.utils import Accessor, signature

register = template.Library()

ROW_START = "\n                    <tr {}>\n                        "
CELL = "\n                            <td {}>{}</td>\n                        "
ROW_END = "\n                    </tr>\n                    "
# What BoundRow passes a render function, by name (BoundRow._optional_cell_arguments).
ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")


class _Unusual(Exception):
    """A cell this module leaves to BoundRow.get_cell."""


def _computed(attrs: dict) -> bool:
    """Whether django-tables2 computes any of these attributes from the cell's record."""
    return any(callable(v) or (isinstance(v, dict) and _computed(v)) for v in attrs.values())


class _Column:
    """One visible column of a table: its cells as BoundRow.get_cell renders them."""

    def __init__(self, bound_column: BoundColumn):
        self.bound = bound_column
        self.name = bound_column.name
        self.column = bound_column.column
        if self.column.localize is not None:
            raise ValueError(f"{self.name}: table_row shows cells without localize")
        self.accessor = Accessor(bound_column.accessor)
        self.bits = tuple(self.accessor.bits)
        self.render = bound_column.render
        args, catch_all = signature(self.render)
        self.args = None if catch_all else args
        self.generic = (
            bool(bound_column.link)
            or isinstance(self.column, ManyToManyColumn | BaseLinkColumn)
            or not self.bits
            or (self.args is not None and any(a not in ARGUMENTS for a in self.args))
        )
        # Whether a value comes from get_FOO_display(), by the record's model and the model
        # holding the field.
        self.displays: dict[tuple[type, type], bool] = {}
        attrs = {**bound_column._table.attrs, **self.column.attrs}
        # The cell's `<td>` attributes, written once unless some are computed from the record
        # (django-tables2 builds all of a column's attributes again for every cell).
        self.fixed_td = not _computed(attrs.get("td", attrs.get("cell", {})))
        self.td: str | None = None

    def td_html(self) -> str:
        if self.td is not None:
            return self.td
        html = self.bound.attrs["td"].as_html()
        if self.fixed_td:
            self.td = html
        return html

    def _display(self, record: models.Model, penultimate: models.Model, remainder: str) -> bool:
        key = (type(record), type(penultimate))
        if key not in self.displays:
            try:
                field = self.accessor.get_field(record)
            except FieldDoesNotExist:
                field = None
            self.displays[key] = bool(getattr(field, "choices", ())) and bool(
                getattr(penultimate, f"get_{remainder}_display", None)
            )
        return self.displays[key]

    def _value(self, record: models.Model) -> Any:
        """The value BoundRow._get_and_render_with reads (Accessor.resolve over model
        instances, a field with choices shown by its label)."""
        current: Any = record
        for bit in self.bits[:-1]:
            current = self._attribute(current, bit)
            if current is None:
                return None
        remainder = self.bits[-1]
        if self._display(record, current, remainder):
            return getattr(current, f"get_{remainder}_display")()
        return self._attribute(current, remainder)

    @staticmethod
    def _attribute(instance: Any, name: str) -> Any:
        if not isinstance(instance, models.Model):
            raise _Unusual
        try:
            value = getattr(instance, name)
        except AttributeError as missing:
            raise _Unusual from missing
        if callable(value):
            raise _Unusual
        return value

    def cell(self, row: BoundRow) -> Any:
        record = row.record
        if self.generic:
            return row.get_cell(self.name)
        try:
            value = self._value(record)
        except _Unusual:
            return row.get_cell(self.name)
        if value in self.column.empty_values:
            return self.bound.default
        given = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound,
            "bound_row": row,
            "table": self.bound._table,
        }
        if self.args is not None:
            given = {name: given[name] for name in self.args}
        return self.render(**given)


def _columns(table) -> list[_Column]:
    """The table's visible columns in order (as BoundRow.items() gives them), worked out once
    per table."""
    columns = table.__dict__.get("_table_rows_columns")
    if columns is None:
        columns = table.__dict__["_table_rows_columns"] = [_Column(c) for c in table.columns]
    return columns


@register.simple_tag(takes_context=True)
def table_row(context, row) -> str:
    """The block's output for one BoundRow: its cells as django-tables2 renders them, each
    shown as `{{ cell }}` shows it (columns with `localize` unset)."""
    record = row.record
    cells = []
    for column in _columns(row.table):
        value = column.cell(row)
        # As BoundRow.items(): computed attributes may read the cell's value and record.
        column.bound.current_value = value
        column.bound.current_record = record
        if type(value) is SafeString:
            shown = value
        elif type(value) is str and context.autoescape:
            shown = escape(value)
        else:
            shown = render_value_in_context(value, context)
        cells.append(CELL.format(column.td_html(), shown))
    return mark_safe(  # noqa: S308 - every value above is escaped
        ROW_START.format(row.attrs.as_html()) + "".join(cells) + ROW_END
    )
