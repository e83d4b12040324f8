"""The plan already in the database is the PESEM of the Relaciones Exteriores sector.

It gets code PESEM-RREE, type PESEM, entity RREE (created here) and yearly follow-up, and its
first version: nuevo, its horizon (start_year-end_year), finalizado, approved by a resolution the
document does not cite (stored with known=False and flagged). `load_plan` creates the same rows
on an empty database. Backwards nothing is undone: 0004 drops the tables and columns.
"""

from django.db import migrations

SECTOR_CODE = "RREE"
SECTOR_NAME = "Relaciones Exteriores"
PESEM_CODE = "PESEM-RREE"


def existing_plan_is_pesem_rree(apps, schema_editor):
    Plan = apps.get_model("objectives", "Plan")
    plans = list(Plan.objects.filter(code__isnull=True).order_by("id"))
    if not plans:
        return
    Entity = apps.get_model("objectives", "Entity")
    Resolution = apps.get_model("objectives", "Resolution")
    PlanVersion = apps.get_model("objectives", "PlanVersion")
    sector, _ = Entity.objects.get_or_create(
        code=SECTOR_CODE, defaults={"name": SECTOR_NAME, "kind": "sector"}
    )
    taken = Plan.objects.filter(code=PESEM_CODE).exists()
    for plan in plans:
        # One plan existed before; a second (never seen) gets a code that stays unique.
        plan.code = f"{PESEM_CODE}-{plan.pk}" if taken else PESEM_CODE
        taken = True
        plan.plan_type = "PESEM"
        plan.entity = sector
        plan.frequency = "anual"
        plan.save(update_fields=["code", "plan_type", "entity", "frequency"])
        if not PlanVersion.objects.filter(plan=plan).exists():
            PlanVersion.objects.create(
                plan=plan,
                kind="nuevo",
                name=plan.name,
                horizon_start=plan.start_year,
                horizon_end=plan.end_year,
                state="finalizado",
                resolution=Resolution.objects.create(known=False),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("objectives", "0004_plan_versions"),
    ]

    operations = [
        migrations.RunPython(existing_plan_is_pesem_rree, migrations.RunPython.noop),
    ]
