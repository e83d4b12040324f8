"""The read API's own documentation page (/api/v1/docs) and its index (/api/v1/).

The page is plain HTML drawn on the server from the OpenAPI schema the API serves
(/api/v1/openapi.json): every operation with its parameters, answers and fields, in Spanish,
with the site's styles and no script. It replaces ninja's bundled Swagger UI, whose page had
no `lang`, low-contrast text and buttons inside buttons (axe: serious), and loads nothing but
our own static files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

LOCATIONS = {"query": "consulta", "path": "ruta", "header": "cabecera"}
STATUS_WORDS = {
    "200": "correcto",
    "400": "dirección no válida",
    "401": "sin acceso",
    "404": "no encontrado",
    "422": "parámetro no válido",
    "429": "demasiadas solicitudes",
}


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    kind: str
    description: str


@dataclass(frozen=True)
class FieldDoc:
    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: list[SafeString]
    tag: str
    parameters: list[Parameter] = field(default_factory=list)
    responses: list[tuple[str, str]] = field(default_factory=list)
    fields: list[FieldDoc] = field(default_factory=list)
    item_name: str = ""


def inline_markdown(text: str) -> SafeString:
    """The schema's descriptions use **bold** and `code` only: those two, escaped first."""
    html = str(escape(text))
    html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
    html = re.sub(r"`(.+?)`", r"<code>\1</code>", html)
    return mark_safe(html)  # noqa: S308 - escaped above; only our two tags added


def paragraphs(text: str) -> list[SafeString]:
    return [inline_markdown(" ".join(p.split())) for p in text.strip().split("\n\n") if p.strip()]


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _kind(schema: dict[str, Any]) -> str:
    """A schema's type in words: «texto», «entero», one of the listed values, a list..."""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if "anyOf" in schema:
        kinds = [_kind(s) for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = any(s.get("type") == "null" for s in schema["anyOf"])
        return " o ".join(kinds) + (" o null" if nullable else "")
    if "enum" in schema:
        return "uno de: " + ", ".join(f"«{v}»" for v in schema["enum"])
    if "const" in schema:
        return f"«{schema['const']}»"
    kind = schema.get("type", "")
    if kind == "array":
        return f"lista de {_kind(schema.get('items', {}))}"
    words = {
        "string": "texto",
        "integer": "entero",
        "boolean": "verdadero o falso",
        "number": "número",
        "object": "objeto",
    }
    text = words.get(kind, kind or "valor")
    if kind == "string" and schema.get("pattern") and "decimal" in schema.get("description", ""):
        text = "decimal como texto"
    elif kind == "string" and schema.get("format") == "date-time":
        text = "fecha y hora (ISO 8601)"
    bounds = []
    if "minimum" in schema:
        bounds.append(f"mín. {schema['minimum']}")
    if "maximum" in schema:
        bounds.append(f"máx. {schema['maximum']}")
    return f"{text} ({', '.join(bounds)})" if bounds else text


def _fields(components: dict[str, Any], ref: str) -> tuple[str, list[FieldDoc]]:
    """The fields of a list's items (a page's `items`) or of an object answer."""
    schema = components.get(_ref_name(ref), {})
    items = schema.get("properties", {}).get("items")
    if items and items.get("type") == "array" and "$ref" in items.get("items", {}):
        name = _ref_name(items["items"]["$ref"])
        schema = components.get(name, {})
    else:
        name = _ref_name(ref)
    return name, [
        FieldDoc(key, _kind(prop), prop.get("description", ""))
        for key, prop in schema.get("properties", {}).items()
    ]


def operations(schema: dict[str, Any]) -> list[Operation]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            parameters = [
                Parameter(
                    p["name"],
                    LOCATIONS.get(p.get("in", ""), p.get("in", "")),
                    bool(p.get("required")),
                    _kind(p.get("schema", {})),
                    p.get("description", "") or p.get("schema", {}).get("description", ""),
                )
                for p in op.get("parameters", [])
            ]
            # Status codes are ints in the schema ninja builds, strings once it is JSON.
            answers = {str(code): answer for code, answer in op.get("responses", {}).items()}
            responses = [
                (code, STATUS_WORDS.get(code, answer.get("description", "")))
                for code, answer in answers.items()
            ]
            ok = answers.get("200", {})
            ref = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            item_name, fields = _fields(components, ref) if ref else ("", [])
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-"),
                    summary=op.get("summary", ""),
                    description=paragraphs(op.get("description", "")),
                    tag=(op.get("tags") or [""])[0],
                    parameters=parameters,
                    responses=responses,
                    fields=fields,
                    item_name=item_name,
                )
            )
    return found


class ApiDocs(DocsBase):
    """ninja's docs hook: our page instead of Swagger UI."""

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        info = schema.get("info", {})
        return render(
            request,
            self.template,
            {
                "title": info.get("title", ""),
                "version": info.get("version", ""),
                "description": paragraphs(info.get("description", "")),
                "operations": operations(schema),
                "schema_url": self.get_openapi_url(api, kwargs),
                "index_url": reverse(f"{api.urls_namespace}:index"),
                "portal": getattr(settings, "PESEM_PUBLIC_PORTAL", False),
            },
        )


def index(request: HttpRequest, api: NinjaAPI) -> dict[str, Any]:
    """What /api/v1/ answers: the API's name and version, links to its documentation, its
    OpenAPI schema and each list, and the public portal's address while it is open."""
    schema = api.get_openapi_schema()
    info = schema.get("info", {})
    base = request.build_absolute_uri(reverse(f"{api.urls_namespace}:index"))
    endpoints = [
        {
            "path": op.path,
            "summary": op.summary,
            "url": request.build_absolute_uri(op.path) if "{" not in op.path else None,
        }
        for op in operations(schema)
    ]
    portal = getattr(settings, "PESEM_PUBLIC_PORTAL", False)
    return {
        "title": info.get("title", ""),
        "version": info.get("version", ""),
        "url": base,
        "docs": request.build_absolute_uri(reverse(f"{api.urls_namespace}:openapi-view")),
        "schema": request.build_absolute_uri(reverse(f"{api.urls_namespace}:openapi-json")),
        "portal": request.build_absolute_uri(reverse("portal_home")) if portal else None,
        "endpoints": endpoints,
    }
