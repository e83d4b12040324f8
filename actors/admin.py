from django.contrib import admin

from actors.models import Actor, ActorInfluence
from objectives.admin import AuditedAdmin


class MemberInline(admin.TabularInline):
    model = Actor
    fk_name = "parent"
    extra = 0
    fields = ["key", "order", "name", "acronym", "kind"]
    verbose_name = "entidad miembro"
    verbose_name_plural = "entidades miembro"


class InfluenceInline(admin.TabularInline):
    model = ActorInfluence
    extra = 0
    fields = ["variable", "direction", "order", "text"]


@admin.register(Actor)
class ActorAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["key", "name", "acronym", "kind", "parent"]
    list_filter = ["kind", ("parent", admin.RelatedOnlyFieldListFilter), "influences__variable"]
    search_fields = ["key", "name", "acronym"]
    list_select_related = ["parent"]
    inlines = [MemberInline, InfluenceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()


@admin.register(ActorInfluence)
class ActorInfluenceAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["variable", "direction", "order", "text", "actor"]
    list_filter = ["direction", "variable"]
    search_fields = ["text", "actor__name", "actor__acronym"]
    list_select_related = ["variable", "actor"]
    raw_id_fields = ["actor"]
