"""The read API, version 1, under /api/v1/ (README, "API de lectura"): the plan, its
objectives, actions, indicators, yearly values, targets, stored statuses, action reports and
directorates, as JSON. GET only; nothing is written but a token's last use.

Who is calling, tried in this order on every operation:
1. `Authorization: Bearer <token>`: a personal token issued in admin (pesem.ApiToken). A
   header that is present but wrong, or a revoked token, is refused (401), never demoted to
   the public.
2. the session cookie of a signed-in user (GET only, so no CSRF token is needed);
3. the public, only while PESEM_PUBLIC_PORTAL is on; otherwise 401.
What each caller sees is decided in pesem/api/selectors.py; the numbers are the stored
statuses the pages read. Rate limits (pesem/limits/rate.py, shared by all processes): per token
or signed-in user, and per client IP for the public and for failed tokens; over them, 429.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from ninja import NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import APIKeyCookie, HttpBearer

from indicators import selectors, services
from indicators.workflow import status
from objectives.models import Plan
from pesem.api import docs as api_docs
from pesem.api import schemas as out
from pesem.api import selectors as reads
from pesem.limits.rate import hit, hit_client
from pesem.models import ApiToken

# Requests per minute (overridable in settings for tests or a larger installation).
TOKEN_PER_MINUTE = 600
PUBLIC_PER_MINUTE = 120
# A token's last use is written at most this often, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)
HEX = frozenset("0123456789abcdef")

PORTAL_CLOSED = (
    "La API pública no está habilitada: inicie sesión o envíe un token de API "
    "(cabecera «Authorization: Bearer <token>»)."
)
BAD_TOKEN = "Token de API no válido o revocado."
BAD_HEADER = "Cabecera Authorization no válida: use «Bearer <token>»."


@dataclass(frozen=True)
class Caller:
    """Who is asking: a user (by token or session) or the public (user None)."""

    user: AbstractBaseUser | None
    token: ApiToken | None = None


class ApiError(HttpError):
    """A refusal with a Spanish `detail` and, optionally, response headers."""

    def __init__(self, status_code: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(status_code, message)
        self.headers = headers or {}


def _limit(request: HttpRequest, scope: str, ident: str | None, per_minute: int) -> None:
    allowed = (
        hit(scope, ident, limit=per_minute)
        if ident is not None
        else hit_client(request, scope, limit=per_minute)
    )
    if not allowed:
        wait = 60 - int(time.time()) % 60
        raise ApiError(
            429,
            f"Demasiadas solicitudes: el límite es de {per_minute} por minuto. "
            f"Intente de nuevo en {wait} segundos.",
            headers={"Retry-After": str(wait)},
        )


def _token_limit() -> int:
    return getattr(settings, "PESEM_API_TOKEN_PER_MINUTE", TOKEN_PER_MINUTE)


def _public_limit() -> int:
    return getattr(settings, "PESEM_API_PUBLIC_PER_MINUTE", PUBLIC_PER_MINUTE)


def verified_token(secret: str) -> ApiToken | None:
    """The active token whose secret this is (one query), or None. Its prefix finds the row;
    the hashes are compared in constant time. Its last use is recorded at most once a
    minute."""
    prefix, dot, _ = secret.partition(".")
    if not dot or len(prefix) != ApiToken.PREFIX_LENGTH or not set(prefix) <= HEX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, ApiToken.hash_secret(secret)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class BearerToken(HttpBearer):
    """Authorization: Bearer <token>, a personal token issued in admin."""

    def __call__(self, request: HttpRequest) -> Caller | None:
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            _limit(request, "api-public", None, _public_limit())
            raise ApiError(401, BAD_HEADER, {"WWW-Authenticate": "Bearer"})
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        found = verified_token(token)
        if found is None:
            # Failed guesses count against the client's address, like the public's requests.
            _limit(request, "api-public", None, _public_limit())
            raise ApiError(401, BAD_TOKEN, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        _limit(request, "api-token", found.prefix, _token_limit())
        return Caller(user=found.user, token=found)


class SessionCookie(APIKeyCookie):
    """A signed-in user's session (the API is GET only: Django's CSRF check lets reads
    through, and ninja still runs it)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = request.user
        if not user.is_authenticated:
            return None
        _limit(request, "api-user", str(user.pk), _token_limit())
        return Caller(user=user)


def public_access(request: HttpRequest) -> Caller:
    """The public: validated data only, and only while the portal is open."""
    if not getattr(settings, "PESEM_PUBLIC_PORTAL", False):
        raise ApiError(401, PORTAL_CLOSED, {"WWW-Authenticate": "Bearer"})
    _limit(request, "api-public", None, _public_limit())
    return Caller(user=None)


class PesemAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # The public needs no credentials while the portal is open: `{}` says so.
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "security" in operation and {} not in operation["security"]:
                    operation["security"].append({})
        return schema


DESCRIPTION = """
Datos del PESEM en JSON, solo lectura.

**Acceso.** Con sesión iniciada, o con un token personal (`Authorization: Bearer <token>`,
emitido por un administrador), se ven los estados internos que el rol permite ver. Sin
credenciales, solo cuando el portal público está habilitado: datos validados y los campos
narrativos que la oficina de planeamiento publicó.

**Números.** Los decimales se escriben como texto exacto (`"0.69"`, `"1800"`); `null` es «sin
dato», nunca cero.

**Páginas.** `limit` (1 a 500, 100 por omisión) y `offset`; cada lista trae `count`, `next` y
`previous`.

**Límites.** 600 solicitudes por minuto por token o usuario, 120 por dirección IP sin
credenciales; al superarlos, 429 con `Retry-After`.
"""

api = PesemAPI(
    title="PESEM: API de lectura",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[BearerToken(), SessionCookie(), public_access],
    # Our own page drawn from the schema (pesem/api/docs.py), not Swagger UI: no script.
    docs=api_docs.ApiDocs(),
)


def _headers(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every answer varies with the credentials; one given to a user is never stored."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = run(request, *args, **kwargs)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        caller = getattr(request, "auth", None)
        if not isinstance(caller, Caller) or caller.user is not None:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper


api.add_decorator(_headers, mode="view")


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=exc.status_code)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": PORTAL_CLOSED}, status=401)


PROBLEMS = {
    "int_parsing": "debe ser un número entero",
    "int_type": "debe ser un número entero",
    "greater_than_equal": "debe ser mayor o igual que {ge}",
    "less_than_equal": "debe ser menor o igual que {le}",
    "string_pattern_mismatch": "tiene caracteres no permitidos o es demasiado largo",
    "string_too_long": "es demasiado largo",
    "string_too_short": "no puede estar vacío",
    "literal_error": "debe ser uno de: {expected}",
    "missing": "es obligatorio",
}


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Pydantic's English errors, said in Spanish: which parameter, what is wrong."""
    problems = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        param = loc[-1] if loc else ""
        template = PROBLEMS.get(error.get("type", ""), "no es válido")
        try:
            problem = template.format(**error.get("ctx", {}))
        except (KeyError, IndexError):
            problem = "no es válido"
        problems.append({"param": param, "problem": problem})
    names = ", ".join(dict.fromkeys(p["param"] for p in problems))
    return api.create_response(
        request,
        {"detail": f"Parámetros no válidos: {names}.", "errors": problems},
        status=422,
    )


# --- helpers ------------------------------------------------------------------------------

ERRORS: dict[int, Any] = {
    # Refused before reaching the API (pesem.middleware.RejectNulMiddleware: a NUL character
    # in the address), in plain text.
    400: None,
    401: out.ErrorOut,
    422: out.ValidationErrorOut,
    429: out.ErrorOut,
}
NOT_FOUND: dict[int, Any] = {**ERRORS, 404: out.ErrorOut}


def _audience(request: HttpRequest) -> reads.Audience:
    """Who calls, read once per request."""
    found: reads.Audience | None = getattr(request, "_pesem_audience", None)
    if found is None:
        caller = request.auth  # type: ignore[attr-defined]
        found = reads.audience_for(caller.user)
        request._pesem_audience = found  # type: ignore[attr-defined]
    return found


def _public(request: HttpRequest) -> bool:
    """An anonymous caller (no query: the audience's narrative rules are not needed)."""
    user = request.auth.user  # type: ignore[attr-defined]
    return user is None or not user.is_authenticated


def _page(
    request: HttpRequest,
    rows: QuerySet[Any] | list[Any],
    page: out.PageParams,
    row: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """One page of a list: its rows, the total, and links to the pages beside it (for a
    queryset, two queries: the count and the page)."""
    count = len(rows) if isinstance(rows, list) else rows.count()
    end = page.offset + page.limit
    items = [row(obj) for obj in rows[page.offset : end]] if page.offset < count else []

    def link(offset: int) -> str:
        params = request.GET.copy()
        params["limit"] = str(page.limit)
        params["offset"] = str(offset)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return {
        "count": count,
        "next": link(end) if end < count else None,
        "previous": link(max(page.offset - page.limit, 0)) if page.offset > 0 else None,
        "items": items,
    }


def _plan(code: str, request: HttpRequest) -> Plan:
    plan = reads.plan_list(public=_public(request)).filter(code=code).first()
    if plan is None:
        raise ApiError(404, f"No existe el plan {code}.")
    return plan


def _plan_period(plan: Plan, period: str | None) -> tuple[int | None, int | None]:
    """The year and semester (None for a whole year) a period names. A semester of a yearly
    plan is refused with the way out."""
    if period is None:
        return None, None
    year, _, semester = period.partition("-")
    if semester:
        if plan.frequency == Plan.Frequency.ANNUAL:
            raise ApiError(
                422, f"El plan {plan.code} se sigue por año: use period={year}, sin semestre."
            )
        return int(year), int(semester[1:])
    return int(year), None


def _plan_year(plan: Plan, period: str | None) -> int | None:
    """The year a period names (a semester's year: statuses are read per year)."""
    return _plan_period(plan, period)[0]


EMPTY_PAGE: dict[str, Any] = {"count": 0, "next": None, "previous": None, "items": []}


def _status_year(horizon: range, year: int | None) -> int | None:
    """The year a statuses list shows, its stored statuses made sure of: the one asked, else
    the last of the horizon with validated values; None for a year outside the horizon (no
    light) or a plan without years."""
    if not horizon:
        return None
    if year is None:
        year = selectors.default_year(horizon=horizon, validated_only=True)
    if year not in horizon:
        return None
    status.ensure(year)
    return year


# --- index ---------------------------------------------------------------------------------


@api.get("/", auth=None, include_in_schema=False, url_name="index")
def index(request: HttpRequest) -> Any:
    """Links to the documentation, the schema and each list; answered to anyone (it holds
    no data), also while the public portal is closed."""
    return api_docs.index(request, api)


# --- plan and structure -------------------------------------------------------------------


@api.get(
    "/plan",
    response={200: out.PlanOut, **NOT_FOUND},
    summary="El plan",
    tags=["plan"],
)
def plan(request: HttpRequest) -> Any:
    """Nombre, sector, periodo, visión y escenario apuesta."""
    row = reads.plan_row()
    if row is None:
        raise ApiError(404, "No hay un plan cargado.")
    return row


@api.get(
    "/plans",
    response={200: out.PlanPage, **ERRORS},
    summary="Planes",
    tags=["plan"],
)
def plans(request: HttpRequest, page: Query[out.PageParams]) -> Any:
    """Cada plan (PESEM, PEI) con su código, tipo, entidad y frecuencia de seguimiento."""
    public = _public(request)
    return _page(request, reads.plan_list(public=public), page, reads.plan_summary_row)


@api.get(
    "/plans/{code}",
    response={200: out.PlanDetailOut, **NOT_FOUND},
    summary="Un plan y sus versiones",
    tags=["plan"],
)
def plan_versions(request: HttpRequest, code: Path[out.PlanCode]) -> Any:
    """El plan con sus versiones (nuevo, actualizado, ampliado, modificado), su estado, su
    horizonte y la resolución que las aprueba."""
    row = reads.plan_detail(code, public=_public(request))
    if row is None:
        raise ApiError(404, f"No existe el plan {code}.")
    return row


@api.get(
    "/plans/{code}/articulation",
    response={200: out.ArticulationPage, **NOT_FOUND},
    summary="Articulación de un plan con su plan superior",
    tags=["plan"],
)
def plan_articulation(
    request: HttpRequest, code: Path[out.PlanCode], page: Query[out.PageParams]
) -> Any:
    """Los vínculos de articulación del plan: para un PEI, de sus objetivos (OEI) y acciones
    (AEI) a los del plan superior (OES, AES); para un PESEM, los de los planes que se le
    articulan. Un elemento puede vincularse a varios superiores."""
    plan = _plan(code, request)
    return _page(request, reads.plan_articulation(plan), page, lambda link: link)


@api.get(
    "/plans/{code}/indicators",
    response={200: out.PlanIndicatorPage, **NOT_FOUND},
    summary="Indicadores de un plan con sus metas y revisiones",
    tags=["plan"],
)
def plan_indicators(
    request: HttpRequest,
    code: Path[out.PlanCode],
    params: Query[out.PlanIndicatorParams],
    page: Query[out.PageParams],
) -> Any:
    """Cada indicador del plan con la meta de cada año según la versión pedida (`version`;
    por omisión la vigente, o si no la última) y sus revisiones: las metas originales que
    publica el documento y las revisiones aprobadas, con la resolución que las aprueba."""
    plan = _plan(code, request)
    version = reads.plan_version(plan, params.version)
    if params.version is not None and version is None:
        raise ApiError(404, f"El plan {code} no tiene la versión {params.version}.")
    return _page(
        request,
        reads.plan_indicators(plan),
        page,
        lambda indicator: reads.plan_indicator_row(version, indicator),
    )


@api.get(
    "/plans/{code}/values",
    response={200: out.ValuePage, **NOT_FOUND},
    summary="Valores de los indicadores de un plan",
    tags=["plan"],
)
def plan_values(
    request: HttpRequest,
    code: Path[out.PlanCode],
    params: Query[out.PlanPeriodParams],
    page: Query[out.PageParams],
) -> Any:
    """Los valores de los indicadores del plan en el periodo (`period`, todos si se omite),
    como /values: el público ve solo los validados, con sus valores exactos. En un plan
    semestral, `period=2024-S1` da los valores de ese semestre; `period=2024`, los del año
    (la agregación de sus semestres validados)."""
    plan = _plan(code, request)
    year, semester = _plan_period(plan, params.period)
    audience = _audience(request)
    if year is not None and semester is not None:
        semesters = reads.semester_value_list(audience, plan=plan, year=year, semester=semester)
        return _page(request, semesters, page, lambda v: reads.semester_value_row(audience, v))
    qs = reads.value_list(audience, year=year, plan=plan)
    return _page(request, qs, page, lambda v: reads.value_row(audience, v))


@api.get(
    "/plans/{code}/statuses",
    response={200: out.StatusPage, **NOT_FOUND},
    summary="Estado de cada indicador de un plan en un periodo",
    tags=["plan"],
)
def plan_statuses(
    request: HttpRequest,
    code: Path[out.PlanCode],
    params: Query[out.PlanPeriodParams],
    page: Query[out.PageParams],
) -> Any:
    """Como /statuses para los indicadores del plan: valor validado, meta del año,
    cumplimiento, semáforo y trayectoria del periodo (`period`; por omisión el último año con
    valores validados). Un año fuera del horizonte del plan da una lista vacía. En un plan
    semestral, `period=2024-S1` da el avance del semestre: el valor del año hasta ese semestre
    (sus semestres validados, según la agregación del indicador) frente a la meta del año."""
    plan = _plan(code, request)
    asked, semester = _plan_period(plan, params.period)
    year = _status_year(plan.years, asked)
    if year is None:
        return {**EMPTY_PAGE}
    audience = _audience(request)
    qs = reads.status_list(year=year, plan=plan)
    if semester is not None:
        rows = reads.semester_status_rows(audience, qs, semester=semester)
        return _page(request, rows, page, lambda row: row)
    return _page(request, qs, page, lambda s: reads.status_row(audience, s))


@api.get(
    "/objectives",
    response={200: out.ObjectivePage, **ERRORS},
    summary="Objetivos estratégicos",
    tags=["plan"],
)
def objectives(request: HttpRequest, page: Query[out.PageParams]) -> Any:
    """Cada objetivo con los códigos de sus indicadores y de sus acciones."""
    return _page(request, reads.objective_list(), page, reads.objective_row)


@api.get(
    "/objectives/{number}",
    response={200: out.ObjectiveDetailOut, **NOT_FOUND},
    summary="Un objetivo estratégico",
    tags=["plan"],
)
def objective(request: HttpRequest, number: Path[out.ObjectiveNumber]) -> Any:
    """El objetivo con sus acciones y subacciones (importancia y responsables)."""
    row = reads.objective_detail(number)
    if row is None:
        raise ApiError(404, f"No existe el objetivo estratégico {number}.")
    return row


@api.get(
    "/actions",
    response={200: out.ActionPage, **ERRORS},
    summary="Acciones estratégicas",
    tags=["plan"],
)
def actions(
    request: HttpRequest, filters: Query[out.ActionFilters], page: Query[out.PageParams]
) -> Any:
    """Acciones y subacciones en el orden del plan, con importancia y responsables."""
    qs = reads.action_list(objective=filters.objective, directorate=filters.directorate)
    return _page(request, qs, page, reads.action_row)


@api.get(
    "/directorates",
    response={200: out.DirectoratePage, **ERRORS},
    summary="Direcciones y órganos",
    tags=["plan"],
)
def directorates(request: HttpRequest, page: Query[out.PageParams]) -> Any:
    return _page(request, reads.directorate_list(), page, reads.directorate_row)


# --- indicators ---------------------------------------------------------------------------


@api.get(
    "/indicators",
    response={200: out.IndicatorPage, **ERRORS},
    summary="Indicadores",
    tags=["indicadores"],
)
def indicators(
    request: HttpRequest, filters: Query[out.IndicatorFilters], page: Query[out.PageParams]
) -> Any:
    """Ficha de cada indicador: códigos (con sus alias), fórmula, sentido, responsable."""
    qs = reads.indicator_list(
        objective=filters.objective, directorate=filters.directorate, level=filters.level
    )
    return _page(request, qs, page, reads.indicator_row)


@api.get(
    "/indicators/{code}",
    response={200: out.IndicatorDetailOut, **NOT_FOUND},
    summary="Un indicador, por código o alias",
    tags=["indicadores"],
)
def indicator(request: HttpRequest, code: Path[out.Code]) -> Any:
    """La ficha, sus líneas de base y metas por fuente, y sus observaciones de calidad."""
    row = reads.indicator_detail(_audience(request), code)
    if row is None:
        raise ApiError(404, f"No existe el indicador {code}.")
    return row


@api.get(
    "/values",
    response={200: out.ValuePage, **ERRORS},
    summary="Valores anuales",
    tags=["indicadores"],
)
def values(
    request: HttpRequest, filters: Query[out.ValueFilters], page: Query[out.PageParams]
) -> Any:
    """Valores por indicador y año. El público ve solo los validados; `state` filtra los
    estados que el usuario puede ver (para el público, cualquier otro estado da una lista
    vacía)."""
    audience = _audience(request)
    qs = reads.value_list(audience, **filters.dict())
    return _page(request, qs, page, lambda v: reads.value_row(audience, v))


@api.get(
    "/targets",
    response={200: out.TargetPage, **ERRORS},
    summary="Líneas de base y metas",
    tags=["indicadores"],
)
def targets(
    request: HttpRequest, filters: Query[out.TargetFilters], page: Query[out.PageParams]
) -> Any:
    """Tal como las publica cada tabla (Cuadro 5, Anexo 6) o las fija la oficina de
    planeamiento; dos fuentes distintas para el mismo año son dos filas."""
    audience = _audience(request)
    qs = reads.target_list(**filters.dict())
    return _page(request, qs, page, lambda t: reads.target_row(audience, t))


@api.get(
    "/statuses",
    response={200: out.StatusPage, **ERRORS},
    summary="Estado de cada indicador en un año",
    tags=["indicadores"],
)
def statuses(
    request: HttpRequest, filters: Query[out.StatusFilters], page: Query[out.PageParams]
) -> Any:
    """Los números del tablero: valor validado, meta del año, cumplimiento, semáforo y
    trayectoria. Sin `year`, el último año del plan con valores validados (sin ninguno, el
    primer año del plan); un año fuera del horizonte del plan (antes o después de sus metas)
    da una lista vacía: no tiene semáforo."""
    audience = _audience(request)
    year = _status_year(services.plan_years(), filters.year)
    if year is None:
        return {**EMPTY_PAGE}
    qs = reads.status_list(
        year=year,
        indicator=filters.indicator,
        objective=filters.objective,
        directorate=filters.directorate,
        level=filters.level,
        light=filters.light,
    )
    return _page(request, qs, page, lambda s: reads.status_row(audience, s))


@api.get(
    "/action-reports",
    response={200: out.ActionReportPage, **ERRORS},
    summary="Reportes anuales de las acciones estratégicas",
    tags=["plan"],
)
def action_reports(
    request: HttpRequest, filters: Query[out.ActionReportFilters], page: Query[out.PageParams]
) -> Any:
    """Situación y avance de cada acción por dirección y año; el público ve los validados."""
    audience = _audience(request)
    qs = reads.action_report_list(audience, **filters.dict())
    return _page(request, qs, page, lambda r: reads.action_report_row(audience, r))
