"""The targets the planning office fixed before revisions existed become approved
corrections: same value, year and reason, proposed by whoever saved them, with no second
person on record (said in the decision note)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

PLANNING_OFFICE_SOURCE = "Oficina de planeamiento"
LEGACY_NOTE = "Fijada antes de las revisiones de metas: sin aprobación de una segunda persona."


def forward(apps, schema_editor):
    Target = apps.get_model("indicators", "Target")
    HistoricalTarget = apps.get_model("indicators", "HistoricalTarget")
    TargetRevision = apps.get_model("indicators", "TargetRevision")
    rank = {s: i for i, s in enumerate(settings.PESEM_TARGET_SOURCE_PRIORITY)}
    for target in Target.objects.filter(source=PLANNING_OFFICE_SOURCE, kind="target"):
        last = HistoricalTarget.objects.filter(id=target.pk).order_by("-history_date").first()
        published = sorted(
            Target.objects.filter(indicator_id=target.indicator_id, kind="target", year=target.year)
            .exclude(source=PLANNING_OFFICE_SOURCE),
            key=lambda t: rank.get(t.source, len(rank)),
        )
        TargetRevision.objects.create(
            indicator_id=target.indicator_id,
            year=target.year,
            value=target.value,
            previous_value=published[0].value if published else None,
            reason="correccion",
            rationale=target.note or "Meta fijada por la oficina de planeamiento.",
            state="aprobada",
            proposed_by_id=last.history_user_id if last else None,
            proposed_at=last.history_date if last else timezone.now(),
            decided_at=last.history_date if last else timezone.now(),
            decision_note=LEGACY_NOTE,
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0009_target_revisions")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
