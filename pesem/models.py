"""What the top layer keeps of its own: which narrative fields the public portal shows, and
the personal API tokens administrators issue."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class PortalSettings(models.Model):
    """One row (pk 1): which narrative fields the public portal, downloads and anonymous API
    show. Every field is off by default; the planning office turns each on."""

    publish_analysis = models.BooleanField("publicar «análisis del avance»", default=False)
    publish_measures = models.BooleanField(
        "publicar «medidas adoptadas o propuestas»", default=False
    )
    publish_value_note = models.BooleanField("publicar la nota de cada valor", default=False)
    publish_report_description = models.BooleanField(
        "publicar «qué se hizo» de los reportes de acciones", default=False
    )
    contact_name = models.CharField(
        "contacto",
        max_length=200,
        blank=True,
        help_text="Quién responde por los datos del portal. Vacío: los órganos de planeamiento "
        "(DEE y OPP en el plan publicado).",
    )
    contact_email = models.EmailField(
        "correo de contacto", blank=True, help_text="Se muestra en el pie del portal."
    )
    plan_document_url = models.URLField(
        "dirección del documento del plan",
        blank=True,
        help_text="El documento publicado del plan (por ejemplo, su PDF en gob.pe); el portal "
        "lo enlaza en su pie.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modificado por",
    )
    updated_at = models.DateTimeField("modificado", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "configuración del portal público"
        verbose_name_plural = "configuración del portal público"

    def __str__(self) -> str:
        return "Campos narrativos publicados"

    @classmethod
    def current(cls) -> PortalSettings:
        """The stored choice, or all off when nobody has chosen yet (nothing is written)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ApiToken(models.Model):
    """A personal token for the read API. Only a SHA-256 of the secret is stored; the secret
    is shown once, when an administrator issues it. Revoked tokens stay listed."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="usuario",
    )
    name = models.CharField("descripción", max_length=120)
    prefix = models.CharField("prefijo", max_length=PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField("huella (SHA-256)", max_length=64, editable=False)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    last_used_at = models.DateTimeField("último uso", null=True, blank=True)
    revoked_at = models.DateTimeField("revocado", null=True, blank=True)

    class Meta:
        verbose_name = "token de API"
        verbose_name_plural = "tokens de API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> tuple[str, str]:
        """(prefix, whole secret): the secret is `<prefix>.<random>`."""
        prefix = secrets.token_hex(cls.PREFIX_LENGTH // 2)
        return prefix, f"{prefix}.{secrets.token_urlsafe(32)}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DataVersion(models.Model):
    """One row (pk 1) whose number grows after every committed write to the plan's data, in
    any process. Cached pages and fragments are keyed on it (pesem.cache.data), so a reader
    never gets a page older than the last acknowledged write."""

    number = models.BigIntegerField("versión de los datos", default=0)
    # Grows with every write except those that only touch drafts (pesem.cache.data): pages that
    # never show a draft are keyed on it, so a registrar saving drafts leaves them kept.
    official = models.BigIntegerField("versión de los datos oficiales", default=0)
    changed_at = models.DateTimeField("último cambio", null=True, blank=True)

    class Meta:
        verbose_name = "versión de los datos"
        verbose_name_plural = "versión de los datos"

    def __str__(self) -> str:
        return str(self.number)


class PreparedReport(models.Model):
    """The monitoring report's XLSX or PDF for a year, built once per official data version
    (pesem.report.files) and kept in the default storage; on a large plan it is built by
    `manage.py build_reports` (a timer) instead of inside a request. Not the plan's data: a
    row is written by a reader's request and never moves the data version."""

    class State(models.TextChoices):
        PENDING = "pendiente", "en cola"
        BUILDING = "preparando", "preparándose"
        READY = "listo", "listo"
        FAILED = "fallido", "falló"

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    class Variant(models.TextChoices):
        """Which report the file holds (pesem.report.content.monitoring_report's options)."""

        INTERNAL = "interno", "interno"
        ANNEX = "anexo", "interno, con el anexo de observaciones de calidad"
        PUBLIC = "publico", "público (portal)"

    # The plan the report is of (objectives.plans.shown_code): every file kept before plans
    # were data is the PESEM's.
    plan_code = models.CharField("plan", max_length=40, default="PESEM-RREE")
    year = models.PositiveSmallIntegerField("año")
    file_format = models.CharField("formato", max_length=4, choices=Format.choices)
    variant = models.CharField(
        "variante", max_length=8, choices=Variant.choices, default=Variant.INTERNAL
    )
    version = models.BigIntegerField("versión de los datos oficiales")
    state = models.CharField("estado", max_length=10, choices=State.choices, default=State.PENDING)
    file_name = models.CharField("archivo", max_length=255, blank=True)
    size = models.BigIntegerField("tamaño (bytes)", null=True, blank=True)
    requested_at = models.DateTimeField("pedido", auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pedido por",
    )
    started_at = models.DateTimeField("inicio de la preparación", null=True, blank=True)
    built_at = models.DateTimeField("preparado", null=True, blank=True)
    build_seconds = models.FloatField("segundos de preparación", null=True, blank=True)
    error = models.TextField("error", blank=True)
    # What the file says, without its generation time (pesem.report.files.fingerprint): a
    # later version whose file would say the same serves the file already built.
    fingerprint = models.CharField("huella del contenido", max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = "archivo del reporte"
        verbose_name_plural = "archivos del reporte"
        constraints = [
            models.UniqueConstraint(
                fields=["plan_code", "year", "file_format", "variant", "version"],
                name="prepared_report_once_per_plan",
            )
        ]

    def __str__(self) -> str:
        return (
            f"Reporte {self.year} ({self.get_file_format_display()}, "
            f"{self.get_variant_display()}, versión {self.version})"
        )


class RateCounter(models.Model):
    """One rate-limit window's count (pesem.limits.rate) when the cache is the database's, whose
    own incr reads then writes: this row is counted up in one SQL statement instead. Rows of
    past windows are deleted as new windows start."""

    key = models.CharField("clave", max_length=250, unique=True)
    hits = models.PositiveIntegerField("solicitudes", default=0)
    expires_at = models.DateTimeField("vence", db_index=True)

    class Meta:
        verbose_name = "contador de solicitudes"
        verbose_name_plural = "contadores de solicitudes"

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
