"""A django-tables2 row written in Python: the stock template's loop over cells (a tag, a
lookup and an escape per cell) cost the tablero a fifth of its build. The bytes are those of
django_tables2/table.html's `table.tbody.row` block, whitespace included."""

from django import template
from django.template.base import render_value_in_context
from django.utils.safestring import mark_safe

register = template.Library()

ROW_START = "\n                    <tr {}>\n                        "
CELL = "\n                            <td {}>{}</td>\n                        "
ROW_END = "\n                    </tr>\n                    "


def _computed(attrs: dict) -> bool:
    """Whether django-tables2 computes any of these attributes from the cell's record."""
    return any(callable(v) or (isinstance(v, dict) and _computed(v)) for v in attrs.values())


def _td(column, fixed: dict[str, str]) -> str:
    """A cell's `<td>` attributes (column.attrs.td), written once per column and table when
    nothing in them depends on the record (django-tables2 builds all of a column's attributes
    again for every cell)."""
    if column.name in fixed:
        return fixed[column.name]
    html = column.attrs["td"].as_html()
    attrs = {**column._table.attrs, **column.column.attrs}
    if not _computed(attrs.get("td", attrs.get("cell", {}))):
        fixed[column.name] = html
    return html


@register.simple_tag(takes_context=True)
def table_row(context, row) -> str:
    """The block's output for one BoundRow: its cells as django-tables2 renders them
    (row.items()), each shown as `{{ cell }}` shows it (columns with `localize` unset)."""
    fixed = row.table.__dict__.setdefault("_table_rows_td", {})
    cells = []
    for column, cell in row.items():
        if column.localize is not None:
            raise ValueError(f"{column.name}: table_row shows cells without localize")
        cells.append(CELL.format(_td(column, fixed), render_value_in_context(cell, context)))
    return mark_safe(  # noqa: S308 - every value above is escaped
        ROW_START.format(row.attrs.as_html()) + "".join(cells) + ROW_END
    )
