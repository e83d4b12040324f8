"""Open-data files of the public portal, built from pesem.published.reads rows only (validated
data):
a Frictionless tabular data package (datapackage.json and its CSVs), the whole plan as XLSX
(a sheet per resource) and as JSON, each indicator as CSV and XLSX, and the yearly public
monitoring report as XLSX.

Numbers in CSV and JSON are plain machine numbers (dot decimal, no thousands separator, no
exponent): the data standard. Pages show the Peruvian format; files do not. Text that a
spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is written as text through
lib.spreadsheets: quoted with `'` in CSV, a quote-prefixed string cell in XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from indicators import progress
from lib import spreadsheets
from lib.charts import as_float
from lib.numbers import json_number
from objectives import plans
from pesem.published.reads import (
    Narrative,
    PublicDataset,
    PublicIndicator,
    PublicObjective,
    PublicReport,
    PublicStatus,
    PublicValue,
)

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Atribución 4.0 Internacional",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
PACKAGE_NAME = "pesem-seguimiento"
LIGHTS = tuple(progress.LIGHT_LABELS[light] for light in progress.Light)
TRAJECTORIES = tuple(progress.TRAJECTORY_LABELS[t] for t in progress.TrajectoryStatus)
LEVELS = ("objetivo estratégico", "variable estratégica", "nacional")
DIRECTIONS = ("ascendente", "descendente")
EXECUTIONS = ("no iniciada", "en ejecución", "culminada")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Field:
    """A column: its Frictionless type (string, integer, number, boolean) and Spanish
    title and description (the unit, where there is one, is said in the description)."""

    name: str
    type: str
    title: str
    description: str
    enum: tuple[str, ...] = ()
    required: bool = False

    def descriptor(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "title": self.title,
            "description": self.description,
        }
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            d["constraints"] = constraints
        return d


@dataclass
class Table:
    """One resource: its fields and typed rows (str, int, Decimal, bool or None)."""

    name: str
    title: str
    description: str
    fields: list[Field]
    rows: Sequence[Sequence[object]]
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [f.descriptor() for f in self.fields],
            "missingValues": [""],
        }
        if self.primary_key:
            schema["primaryKey"] = self.primary_key
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return schema


def _fk(name: str, resource: str, ref: str) -> dict[str, Any]:
    return {"fields": [name], "reference": {"resource": resource, "fields": [ref]}}


# --- cells --------------------------------------------------------------------------------


def plain_number(value: Decimal) -> str:
    """1800.000000 -> 1800, 0.690000 -> 0.69, 1E-6 -> 0.000001: no exponent, no grouping."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def csv_cell(value: object) -> str:
    """A typed value as CSV text: formula-like text quoted (lib.spreadsheets),
    numbers plain, booleans true/false, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, int):
        return str(value)
    return str(spreadsheets.safe_cell(str(value)))


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in table.fields])
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def _xlsx_cell(value: object) -> object:
    if isinstance(value, Decimal):
        return as_float(value)
    return value


def _sheet(
    title: str, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> spreadsheets.TableSheet:
    """A sheet of the open-data workbooks (lib.spreadsheets.styled_xlsx: the house style,
    columns fitted to their text, numbers shown with thousands and two decimals)."""
    return spreadsheets.TableSheet(title, header, [[_xlsx_cell(v) for v in row] for row in rows])


def table_sheet(table: Table) -> spreadsheets.TableSheet:
    return _sheet(table.name, [f.name for f in table.fields], table.rows)


# --- the resources ------------------------------------------------------------------------

RESOURCES: dict[str, tuple[str, str]] = {
    "objetivos": (
        "Objetivos estratégicos sectoriales",
        "Objetivos estratégicos del plan, en el orden publicado.",
    ),
    "direcciones": (
        "Direcciones y órganos",
        "Direcciones responsables de acciones e indicadores (sigla y nombre).",
    ),
    "acciones": (
        "Acciones estratégicas sectoriales",
        "Acciones estratégicas y subacciones de cada objetivo, en el orden publicado, con "
        "su importancia y direcciones responsables (Cuadro 6).",
    ),
    "indicadores": (
        "Indicadores: ficha técnica",
        "Ficha técnica de cada indicador: definición, fórmula, unidad, fuente, sentido "
        "esperado, nivel, dirección responsable y línea de base.",
    ),
    "valores": (
        "Valores validados",
        "Valor de cada indicador en cada año, solo los validados por la oficina de "
        "planeamiento (los borradores y los enviados no se publican).",
    ),
    "metas": (
        "Líneas de base y metas",
        "Líneas de base y metas tal como las publica cada tabla del plan (Cuadro 5, "
        "Anexo 6) o las fija la oficina de planeamiento; dos tablas con valores distintos "
        "para un año son dos filas.",
    ),
    "estados": (
        "Estado anual de cada indicador",
        "Por indicador y año: valor validado, meta, cumplimiento, semáforo y trayectoria, "
        "calculados solo con valores validados (umbrales del semáforo en el README).",
    ),
    "observaciones": (
        "Observaciones de calidad de datos",
        "Defectos y ambigüedades del documento y hallazgos sobre los datos validados.",
    ),
    "avance-acciones": (
        "Avance validado de las acciones",
        "Reportes validados de las direcciones sobre cada acción y año.",
    ),
}


def head(name: str) -> tuple[str, str, str]:
    """(name, title, description) of a resource, the first three fields of its Table."""
    return (name, *RESOURCES[name])


def about(name: str) -> dict[str, str]:
    """Name, title and description of a resource (for the package and the data page)."""
    title, description = RESOURCES[name]
    return {"name": name, "title": title, "description": description}


def objectives_table(ds: PublicDataset) -> Table:
    return Table(
        *head("objetivos"),
        fields=[
            Field(
                "numero", "integer", "Número", "Número del objetivo (1 para OE1).", required=True
            ),
            Field("codigo", "string", "Código", "Código del objetivo, p. ej. OE1."),
            Field("nombre", "string", "Nombre", "Nombre del objetivo tal como se publicó."),
            Field("descripcion", "string", "Descripción", "Descripción del objetivo."),
        ],
        rows=[[o.number, o.code, o.name, o.description] for o in ds.objectives],
        primary_key=["numero"],
    )


def directorates_table(ds: PublicDataset) -> Table:
    return Table(
        *head("direcciones"),
        fields=[
            Field("codigo", "string", "Sigla", "Sigla de la dirección u órgano.", required=True),
            Field("nombre", "string", "Nombre", "Nombre completo, cuando el plan lo publica."),
        ],
        rows=[[d.code, d.name] for d in ds.directorates],
        primary_key=["codigo"],
    )


def actions_table(ds: PublicDataset) -> Table:
    return Table(
        *head("acciones"),
        fields=[
            Field("codigo", "string", "Código", "Código de la acción, p. ej. 3.1.", required=True),
            Field("objetivo", "integer", "Objetivo", "Número del objetivo al que pertenece."),
            Field(
                "accion_principal",
                "string",
                "Acción principal",
                "Código de la acción de la que es subacción; vacío en una acción.",
            ),
            Field("orden", "integer", "Orden", "Orden de publicación dentro del objetivo."),
            Field("nombre", "string", "Nombre", "Nombre de la acción."),
            Field("descripcion", "string", "Descripción", "Descripción de la acción."),
            Field(
                "importancia",
                "integer",
                "Importancia",
                "Importancia según el Cuadro 6, de 1 (poco importante) a 4 (muy importante).",
            ),
            Field(
                "responsables",
                "string",
                "Responsables",
                "Siglas de las direcciones responsables, separadas por punto y coma.",
            ),
        ],
        rows=[
            [
                a.code,
                a.objective,
                a.parent,
                a.order,
                a.name,
                a.description,
                a.importance,
                ";".join(r.code for r in a.responsibles),
            ]
            for a in ds.actions
        ],
        primary_key=["codigo"],
        foreign_keys=[
            _fk("objetivo", "objetivos", "numero"),
            _fk("accion_principal", "acciones", "codigo"),
        ],
    )


def indicators_table(ds: PublicDataset) -> Table:
    return Table(
        *head("indicadores"),
        fields=[
            Field(
                "codigo", "string", "Código", "Código del indicador, p. ej. OE3.1.", required=True
            ),
            Field("alias", "string", "Código alterno", "El mismo indicador con otro código."),
            Field("nombre", "string", "Nombre", "Nombre del indicador."),
            Field("nivel", "string", "Nivel", "Nivel del indicador en el plan.", LEVELS),
            Field("objetivo", "integer", "Objetivo", "Número del objetivo; vacío si no tiene."),
            Field(
                "variable", "string", "Variable estratégica", "Código de la variable, p. ej. V1."
            ),
            Field("variable_nombre", "string", "Nombre de la variable", "Variable estratégica."),
            Field(
                "objetivo_nacional",
                "string",
                "Objetivo nacional específico",
                "Objetivo nacional específico con el que se articula (Anexo 6).",
            ),
            Field(
                "objetivos_articulados",
                "string",
                "Objetivos articulados",
                "Números de los objetivos del plan articulados, separados por punto y coma.",
            ),
            Field("definicion", "string", "Definición", "Qué mide el indicador."),
            Field("numerador", "string", "Numerador", "Numerador de la fórmula."),
            Field("denominador", "string", "Denominador", "Denominador de la fórmula."),
            Field("definicion_numerador", "string", "Definición del numerador", "Definición."),
            Field("definicion_denominador", "string", "Definición del denominador", "Definición."),
            Field(
                "factor_escala",
                "number",
                "Factor de escala",
                "Valor = numerador / denominador × factor (p. ej. 10000 por cada 10,000).",
            ),
            Field("unidad", "string", "Unidad", "Unidad de medida de los valores y las metas."),
            Field("sentido", "string", "Sentido esperado", "Más es mejor: ascendente.", DIRECTIONS),
            Field(
                "sentido_publicado",
                "boolean",
                "Sentido publicado",
                "Falso cuando el documento no declara el sentido y el sistema lo asume.",
            ),
            Field("direccion_responsable", "string", "Dirección responsable", "Sigla."),
            Field(
                "responsable_publicado",
                "boolean",
                "Responsable publicado",
                "Falso cuando el documento no nombra al responsable y el sistema lo asigna.",
            ),
            Field("fuente_datos", "string", "Fuente de datos", "Fuente de datos publicada."),
            Field(
                "estado_documento", "string", "Estado en el documento", "P. ej. en construcción."
            ),
            Field(
                "valor_actual",
                "number",
                "Valor actual publicado",
                "Valor actual publicado sin año (Cuadro 3 y Anexo 2), en la unidad del indicador.",
            ),
            Field(
                "linea_base_anio", "integer", "Año de la línea de base", "Vacío si no se publicó."
            ),
            Field(
                "linea_base_valor",
                "number",
                "Línea de base",
                "Valor de la línea de base usada en los cálculos, en la unidad del indicador.",
            ),
            Field("linea_base_fuente", "string", "Fuente de la línea de base", "Tabla del plan."),
            Field("meta_final_anio", "integer", "Año de la meta final", "Último año con meta."),
        ],
        rows=[
            [
                i.code,
                i.alias,
                i.name,
                i.level_label,
                i.objective,
                i.variable_code,
                i.variable_name,
                i.national_objective,
                ";".join(str(n) for n in i.articulated_objectives),
                i.definition,
                i.numerator,
                i.denominator,
                i.numerator_definition,
                i.denominator_definition,
                i.scale,
                i.unit,
                i.direction_label,
                i.direction_published,
                i.responsible or None,
                i.responsible_published,
                i.data_source,
                i.status_note,
                i.current_value,
                i.baseline.year if i.baseline else None,
                i.baseline.value if i.baseline else None,
                i.baseline.source if i.baseline else None,
                i.final_year,
            ]
            for i in ds.indicators
        ],
        primary_key=["codigo"],
        foreign_keys=[
            _fk("objetivo", "objetivos", "numero"),
            _fk("direccion_responsable", "direcciones", "codigo"),
        ],
    )


def _value_fields(ds_published: Narrative) -> list[Field]:
    fields = [
        Field("valor", "number", "Valor", "Valor validado, en la unidad del indicador."),
        Field("numerador", "number", "Numerador", "Numerador, cuando se registró."),
        Field("denominador", "number", "Denominador", "Denominador, cuando se registró."),
        Field("fuente", "string", "Fuente", "Origen del valor (tabla del plan o registro)."),
        Field("valor_publicado", "string", "Valor publicado", "Texto tal como se publicó."),
    ]
    if ds_published.value_note:
        fields.append(Field("nota", "string", "Nota", "Nota del valor."))
    if ds_published.analysis:
        fields.append(Field("analisis", "string", "Análisis del avance", "Por qué es así."))
    if ds_published.measures:
        fields.append(Field("medidas", "string", "Medidas", "Medidas adoptadas o propuestas."))
    return fields


def _value_cells(v: PublicValue, published: Narrative) -> list[object]:
    cells: list[object] = [v.value, v.numerator, v.denominator, v.source, v.published]
    if published.value_note:
        cells.append(v.note)
    if published.analysis:
        cells.append(v.analysis)
    if published.measures:
        cells.append(v.measures)
    return cells


def values_table(ds: PublicDataset) -> Table:
    return Table(
        *head("valores"),
        fields=[
            Field("indicador", "string", "Indicador", "Código del indicador.", required=True),
            Field("anio", "integer", "Año", "Año del valor.", required=True),
            *_value_fields(ds.published),
        ],
        rows=[
            [i.code, v.year, *_value_cells(v, ds.published)]
            for i in ds.indicators
            for v in i.values
        ],
        primary_key=["indicador", "anio"],
        foreign_keys=[_fk("indicador", "indicadores", "codigo")],
    )


def targets_table(ds: PublicDataset) -> Table:
    return Table(
        *head("metas"),
        fields=[
            Field("indicador", "string", "Indicador", "Código del indicador.", required=True),
            Field("tipo", "string", "Tipo", "Línea de base o meta.", ("línea de base", "meta")),
            Field("anio", "integer", "Año", "Año; vacío si la tabla no lo publica."),
            Field("valor", "number", "Valor", "En la unidad del indicador."),
            Field("valor_publicado", "string", "Valor publicado", "Texto tal como se publicó."),
            Field("fuente", "string", "Fuente", "Tabla del plan u oficina de planeamiento."),
            Field("nota", "string", "Nota", "Cómo se leyó el documento."),
        ],
        rows=[
            [i.code, t.kind_label, t.year, t.value, t.published, t.source, t.note]
            for i in ds.indicators
            for t in i.targets
        ],
        foreign_keys=[_fk("indicador", "indicadores", "codigo")],
    )


STATUS_FIELDS = [
    Field("valor", "number", "Valor validado", "Valor validado del año; vacío sin dato."),
    Field("meta", "number", "Meta del año", "Meta oficial o hito interpolado del año."),
    Field(
        "meta_interpolada",
        "boolean",
        "Meta interpolada",
        "Verdadero si la meta es un hito interpolado (no oficial); vacío sin meta.",
    ),
    Field(
        "cumplimiento",
        "number",
        "Cumplimiento (%)",
        "Porcentaje de cumplimiento: valor / meta × 100 (descendente: meta / valor × 100).",
    ),
    Field("nota_cumplimiento", "string", "Nota", "Por qué no hay porcentaje, si no lo hay."),
    Field("semaforo", "string", "Semáforo", "Verde, amarillo, rojo o gris (sin dato).", LIGHTS),
    Field(
        "trayectoria",
        "string",
        "Trayectoria",
        "Si la meta final sigue alcanzable al ritmo logrado.",
        TRAJECTORIES,
    ),
    Field("ultimo_anio", "integer", "Último año con valor", "Hasta el año de la fila."),
    Field("ultimo_valor", "number", "Último valor", "Último valor validado hasta ese año."),
]


def _status_cells(s: PublicStatus) -> list[object]:
    return [
        s.value,
        s.target,
        s.target_interpolated if s.target is not None else None,
        s.achievement,
        s.achievement_note,
        s.light_label,
        s.trajectory_label,
        s.latest_year,
        s.latest_value,
    ]


def statuses_table(ds: PublicDataset) -> Table:
    return Table(
        *head("estados"),
        fields=[
            Field("indicador", "string", "Indicador", "Código del indicador.", required=True),
            Field("anio", "integer", "Año", "Año.", required=True),
            *STATUS_FIELDS,
        ],
        rows=[[i.code, s.year, *_status_cells(s)] for i in ds.indicators for s in i.statuses],
        primary_key=["indicador", "anio"],
        foreign_keys=[_fk("indicador", "indicadores", "codigo")],
    )


def flags_table(ds: PublicDataset) -> Table:
    return Table(
        *head("observaciones"),
        fields=[
            Field("indicador", "string", "Indicador", "Código del indicador.", required=True),
            Field("observacion", "string", "Observación", "La observación, en palabras."),
        ],
        rows=[[i.code, f] for i in ds.indicators for f in i.flags],
        foreign_keys=[_fk("indicador", "indicadores", "codigo")],
    )


def reports_table(ds: PublicDataset) -> Table:
    fields = [
        Field("accion", "string", "Acción", "Código de la acción.", required=True),
        Field("objetivo", "integer", "Objetivo", "Número del objetivo."),
        Field("direccion", "string", "Dirección", "Sigla de la dirección.", required=True),
        Field("anio", "integer", "Año", "Año del reporte.", required=True),
        Field("situacion", "string", "Situación", "Situación de la acción.", EXECUTIONS),
        Field("avance", "number", "Avance (%)", "Avance reportado, de 0 a 100 por ciento."),
    ]
    if ds.published.report_description:
        fields.append(Field("que_se_hizo", "string", "Qué se hizo", "Lo que hizo la dirección."))
    rows: list[list[object]] = []
    for r in ds.reports:
        row: list[object] = [r.action, r.objective, r.directorate, r.year]
        row += [r.execution_label, r.percent]
        if ds.published.report_description:
            row.append(r.description)
        rows.append(row)
    return Table(
        *head("avance-acciones"),
        fields=fields,
        rows=rows,
        primary_key=["accion", "direccion", "anio"],
        foreign_keys=[
            _fk("accion", "acciones", "codigo"),
            _fk("direccion", "direcciones", "codigo"),
        ],
    )


# Resource name -> builder, in the package's order (referenced resources first).
TABLES = {
    "objetivos": objectives_table,
    "direcciones": directorates_table,
    "acciones": actions_table,
    "indicadores": indicators_table,
    "valores": values_table,
    "metas": targets_table,
    "estados": statuses_table,
    "observaciones": flags_table,
    "avance-acciones": reports_table,
}


def tables(ds: PublicDataset) -> list[Table]:
    return [build(ds) for build in TABLES.values()]


def table(ds: PublicDataset, name: str) -> Table | None:
    build = TABLES.get(name)
    return build(ds) if build else None


# --- the package and the whole plan --------------------------------------------------------


def datapackage(ds: PublicDataset) -> dict[str, Any]:
    title = ds.plan.name if ds.plan else "Plan estratégico sectorial multianual"
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": f"Seguimiento del {title}",
        "description": (
            "Plan, indicadores, líneas de base, metas, valores validados y estado anual de "
            "cada indicador. Solo datos validados por la oficina de planeamiento. Números con "
            "punto decimal y sin separador de miles. También en XLSX (plan.xlsx) y JSON "
            "(plan.json)."
        ),
        "licenses": [LICENSE],
        "keywords": ["PESEM", "CEPLAN", "seguimiento", "indicadores", "metas"],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": t.name,
                "path": t.path,
                "title": t.title,
                "description": t.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": t.schema(),
            }
            for t in tables(ds)
        ],
    }


def plan_workbook(ds: PublicDataset) -> bytes:
    """The whole package as one workbook: a «Léame» sheet (license, every field's meaning),
    then a sheet per resource."""
    all_tables = tables(ds)
    readme = [
        ["Licencia", LICENSE["title"], LICENSE["path"], "", ""],
        ["Contenido", "Solo datos validados por la oficina de planeamiento.", "", "", ""],
        *[[t.name, f.name, f.type, f.title, f.description] for t in all_tables for f in t.fields],
    ]
    return spreadsheets.styled_xlsx(
        [
            _sheet("Léame", ["Recurso", "Campo", "Tipo", "Título", "Descripción"], readme),
            *(table_sheet(t) for t in all_tables),
        ]
    )


def _status_json(s: PublicStatus) -> dict[str, Any]:
    return {
        "year": s.year,
        "value": json_number(s.value),
        "target": json_number(s.target),
        "target_interpolated": s.target_interpolated if s.target is not None else None,
        "achievement": json_number(s.achievement),
        "achievement_note": s.achievement_note,
        "light": s.light,
        "trajectory": s.trajectory,
    }


def _indicator_json(
    i: PublicIndicator, published: Narrative, milestones: tuple[int, int]
) -> dict[str, Any]:
    latest = i.latest
    value_rows = []
    for v in i.values:
        status = i.status(v.year)
        row: dict[str, Any] = {
            "year": v.year,
            "value": json_number(v.value),
            "numerator": json_number(v.numerator),
            "denominator": json_number(v.denominator),
            "source": v.source,
            "published": v.published,
            "status": "validated",
            "achievement": json_number(status.achievement) if status else None,
            "light": status.light if status else "grey",
        }
        if published.value_note:
            row["note"] = v.note
        if published.analysis:
            row["analysis"] = v.analysis
        if published.measures:
            row["measures"] = v.measures
        value_rows.append(row)
    # The plan's two target years (objectives.plans.milestones): 2016 and 2021 for the PESEM,
    # whose keys stay as published; another plan's are named after its own years.
    first, final = milestones
    s_first, s_final = i.status(first), i.status(final)
    return {
        "code": i.code,
        "aliases": [i.alias] if i.alias else [],
        "name": i.name,
        "level": i.level,
        "objective": i.objective,
        "variable": i.variable_code or None,
        "national_objective": i.national_objective or None,
        "articulated_objectives": list(i.articulated_objectives),
        "definition": i.definition,
        "numerator": i.numerator,
        "denominator": i.denominator,
        "numerator_definition": i.numerator_definition,
        "denominator_definition": i.denominator_definition,
        "scale": json_number(i.scale),
        "unit": i.unit,
        "direction": i.direction,
        "direction_published": i.direction_published,
        "responsible": i.responsible or None,
        "responsible_published": i.responsible_published,
        "data_source": i.data_source,
        "status_note": i.status_note,
        "current_value": (
            {
                "value": json_number(i.current_value),
                "published": i.current_value_published,
                "source": i.current_value_source,
            }
            if i.current_value is not None
            else None
        ),
        "baseline": (
            {
                "year": i.baseline.year,
                "year_inferred": i.baseline.year_inferred,
                "value": json_number(i.baseline.value),
                "source": i.baseline.source,
            }
            if i.baseline
            else None
        ),
        "values": value_rows,
        "targets": [
            {
                "year": t.year,
                "value": json_number(t.value),
                "source": t.source,
                "published": t.published,
            }
            for t in i.official_targets
        ],
        "flags": list(i.flags),
        "summary": {
            "latest_year": latest.latest_year if latest else None,
            "latest_value": json_number(latest.latest_value) if latest else None,
            f"achievement_{first}": json_number(s_first.achievement) if s_first else None,
            f"achievement_{final}": json_number(s_final.achievement) if s_final else None,
            "light": latest.light if latest else "grey",
            f"on_track_{final}": (
                progress.Trajectory(progress.TrajectoryStatus(latest.trajectory)).on_track
                if latest
                else None
            ),
            "trajectory": latest.trajectory if latest else "unknown",
        },
        "statuses": [_status_json(s) for s in i.statuses],
    }


def _objective_json(o: PublicObjective, indicators: list[PublicIndicator]) -> dict[str, Any]:
    return {
        "number": o.number,
        "name": o.name,
        "description": o.description,
        "indicators": [i.code for i in indicators if i.objective == o.number],
        "actions": [
            {
                "code": a.code,
                "name": a.name,
                "description": a.description,
                "importance": a.importance,
                "responsibles": [r.code for r in a.responsibles],
                "sub_actions": [{"code": s.code, "name": s.name} for s in a.sub_actions],
            }
            for a in o.actions
        ],
    }


def _report_json(r: PublicReport, published: Narrative) -> dict[str, Any]:
    row: dict[str, Any] = {
        "action": r.action,
        "objective": r.objective,
        "directorate": r.directorate,
        "year": r.year,
        "execution": r.execution,
        "percent": json_number(r.percent),
    }
    if published.report_description:
        row["description"] = r.description
    return row


def plan_json(ds: PublicDataset) -> dict[str, Any]:
    """export_plan's structure (README, "Export (open data)") restricted to public data: the
    plan, objectives, indicators (validated values only; `statuses` per year added) and
    directorates, plus validated action reports. Narrative keys appear only when published."""
    p = ds.plan
    milestones = plans.milestones()
    return {
        "license": LICENSE,
        "plan": (
            {
                "name": p.name,
                "short_name": p.short_name,
                "sector": p.sector,
                "period": {"start": p.start_year, "end": p.end_year},
                "vision": p.vision,
                "desired_scenario": p.desired_scenario,
            }
            if p
            else None
        ),
        "objectives": [_objective_json(o, ds.indicators) for o in ds.objectives],
        "indicators": [_indicator_json(i, ds.published, milestones) for i in ds.indicators],
        "directorates": [{"code": d.code, "name": d.name} for d in ds.directorates],
        "action_reports": [_report_json(r, ds.published) for r in ds.reports],
    }


# --- one indicator ------------------------------------------------------------------------


def indicator_series_table(indicator: PublicIndicator, published: Narrative) -> Table:
    """One row per year with a stored status: the validated value and its parts, the year's
    target, achievement, light and trajectory (and the published narrative)."""
    values = {v.year: v for v in indicator.values}
    value_fields = _value_fields(published)
    rows = []
    for s in indicator.statuses:
        v = values.get(s.year)
        cells = _value_cells(v, published)[1:] if v else [None] * (len(value_fields) - 1)
        rows.append([indicator.code, s.year, *_status_cells(s), *cells])
    return Table(
        name=f"indicador-{indicator.code.lower()}",
        title=f"{indicator.code}: serie validada",
        description=indicator.name,
        fields=[
            Field("indicador", "string", "Indicador", "Código del indicador."),
            Field("anio", "integer", "Año", "Año."),
            *STATUS_FIELDS,
            *value_fields[1:],
        ],
        rows=rows,
        primary_key=["indicador", "anio"],
    )


def indicator_workbook(indicator: PublicIndicator, published: Narrative) -> bytes:
    i = indicator
    ficha: list[list[object]] = [
        ["Código", i.code],
        ["Código alterno", i.alias],
        ["Nombre", i.name],
        ["Nivel", i.level_label],
        ["Objetivo", f"OE{i.objective}" if i.objective else ""],
        ["Variable estratégica", f"{i.variable_code} {i.variable_name}".strip()],
        ["Definición", i.definition],
        ["Numerador", i.numerator],
        ["Definición del numerador", i.numerator_definition],
        ["Denominador", i.denominator],
        ["Definición del denominador", i.denominator_definition],
        ["Factor de escala", i.scale],
        ["Unidad", i.unit],
        ["Sentido esperado", i.direction_label],
        ["Sentido publicado en el documento", "sí" if i.direction_published else "no"],
        ["Dirección responsable", f"{i.responsible} {i.responsible_name}".strip()],
        ["Fuente de datos", i.data_source],
        ["Estado en el documento", i.status_note],
    ]
    series = indicator_series_table(i, published)
    targets = [[t.kind_label, t.year, t.value, t.published, t.source, t.note] for t in i.targets]
    return spreadsheets.styled_xlsx(
        [
            _sheet("Ficha", ["Campo", "Valor"], ficha),
            _sheet("Serie", [f.title for f in series.fields], series.rows),
            _sheet("Metas", ["Tipo", "Año", "Valor", "Publicado", "Fuente", "Nota"], targets),
            _sheet("Observaciones", ["Observación"], [[f] for f in i.flags]),
        ]
    )


# --- the yearly public report -------------------------------------------------------------


def report_workbook(
    *,
    year: int,
    objectives: list[PublicObjective],
    indicators: list[PublicIndicator],
    reports: list[PublicReport],
    published: Narrative,
) -> bytes:
    """The public monitoring report of a year (as the internal one, validated data only):
    summary per objective, indicators with baseline, target, value, achievement, light and
    trajectory, every action and responsible with its validated report, data-quality notes."""
    by_objective: dict[int, list[PublicIndicator]] = {}
    for i in indicators:
        if i.objective is not None:
            by_objective.setdefault(i.objective, []).append(i)
    summary = []
    for o in objectives:
        lights = [s.light for i in by_objective.get(o.number, []) if (s := i.status(year))]
        counts = progress.light_counts(progress.Light(x) for x in lights)
        summary.append([o.code, o.name, len(lights), *(counts[light] for light in progress.Light)])
    indicator_rows = []
    for o in objectives:
        for i in by_objective.get(o.number, []):
            s = i.status(year)
            indicator_rows.append(
                [
                    o.code,
                    i.code,
                    i.name,
                    i.baseline.value if i.baseline else None,
                    i.baseline.year if i.baseline else None,
                    s.target if s else None,
                    ("sí" if s.target_interpolated else "no") if s and s.target is not None else "",
                    s.value if s else None,
                    s.achievement if s else None,
                    s.achievement_note if s else "",
                    s.light_label if s else "gris",
                    s.trajectory_label if s else "",
                ]
            )
    reported = {(r.action, r.directorate): r for r in reports if r.year == year}
    action_rows = []
    for o in objectives:
        for a in o.actions:
            for d in a.responsibles:
                r = reported.get((a.code, d.code))
                row: list[object] = [o.code, a.code, a.name, a.importance, d.code]
                row += [r.execution_label, r.percent] if r else ["sin reporte validado", None]
                if published.report_description:
                    row.append(r.description if r else "")
                action_rows.append(row)
    action_header = ["Objetivo", "Acción", "Nombre", "Importancia", "Dirección"]
    action_header += ["Situación", "Avance (%)"]
    if published.report_description:
        action_header.append("Qué se hizo")
    quality = [
        [i.code, f] for o in objectives for i in by_objective.get(o.number, []) for f in i.flags
    ]
    light_titles = [progress.LIGHT_LABELS[light].capitalize() for light in progress.Light]
    return spreadsheets.styled_xlsx(
        [
            _sheet("Resumen", ["Objetivo", "Nombre", "Indicadores", *light_titles], summary),
            _sheet(
                "Indicadores",
                [
                    "Objetivo",
                    "Código",
                    "Indicador",
                    "Línea de base",
                    "Año base",
                    f"Meta {year}",
                    "Meta interpolada",
                    f"Valor obtenido {year}",
                    "Cumplimiento (%)",
                    "Nota de cumplimiento",
                    "Semáforo",
                    "Trayectoria",
                ],
                indicator_rows,
            ),
            _sheet("Acciones", action_header, action_rows),
            _sheet("Calidad de datos", ["Código", "Observación"], quality),
        ]
    )
