"""Admin of the read API's personal tokens (README, "API de lectura").

Issuing a token shows its secret once, in the page that answers the saving (never in a
message: messages travel in a signed, not encrypted, cookie); only its SHA-256 is
stored, so nobody (an administrator included) can see it again: a lost token is revoked and
a new one issued. Revoked tokens stay listed. Every issue and revocation writes a
"pesem.audit" line with the acting user."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from objectives.admin import AuditedAdmin
from pesem.models import ApiToken, PortalSettings

audit = logging.getLogger("pesem.audit")


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "name", "prefix"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiToken | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        # Only the description changes; a token belongs to one user for life.
        return ("user", "prefix", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.prefix, secret = ApiToken.new_secret()
        obj.key_hash = ApiToken.hash_secret(secret)
        super().save_model(request, obj, form, change)
        # Shown by response_add in the answer to this request, never in a message: messages
        # travel in a cookie that is signed, not encrypted.
        request._issued_token_secret = secret  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        secret = getattr(request, "_issued_token_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        response = TemplateResponse(
            request,
            "admin/pesem/apitoken/issued.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "token": obj,
                "secret": secret,
            },
        )
        patch_cache_control(response, private=True, no_store=True)
        return response

    @admin.action(description="Revocar los tokens seleccionados")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        now = timezone.now()
        tokens = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
        for token in tokens:
            audit.info(
                "write",
                extra={
                    "user": request.user.get_username(),
                    "via": "admin",
                    "operation": "revoke",
                    "what": "apitoken",
                    "id": token.pk,
                    "object": str(token),
                },
            )
        messages.success(request, f"Tokens revocados: {len(tokens)}.")


@admin.register(PortalSettings)
class PortalSettingsAdmin(AuditedAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    """One row: which narrative fields the public portal, downloads and anonymous API show.
    Every field is off until the planning office turns it on here."""

    fields = [
        "publish_analysis",
        "publish_measures",
        "publish_value_note",
        "publish_report_description",
        "contact_name",
        "contact_email",
        "plan_document_url",
    ]
    list_display = [
        "__str__",
        "publish_analysis",
        "publish_measures",
        "publish_value_note",
        "publish_report_description",
        "updated_by",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not PortalSettings.objects.exists() and super().has_add_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One row, so no list: the form itself (the stored choice, or the first one)."""
        if PortalSettings.objects.filter(pk=1).exists():
            return redirect("admin:pesem_portalsettings_change", 1)
        return redirect("admin:pesem_portalsettings_add")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.pk = 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
