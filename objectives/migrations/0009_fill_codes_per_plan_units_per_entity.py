"""Codes unique within a plan and units within an entity, second step: an objective's code
is OE and its number (OE1 .. OE4 for the PESEM, as the API shows them), an action's plan its
objective's, a unit's entity the plan's sector (RREE) for every existing one. Nothing else
moves: the same codes, the same rows."""

from django.db import migrations

SECTOR_CODE = "RREE"
SECTOR_NAME = "Relaciones Exteriores"


def fill(apps, schema_editor):
    Entity = apps.get_model("objectives", "Entity")
    Plan = apps.get_model("objectives", "Plan")
    Directorate = apps.get_model("objectives", "Directorate")
    StrategicObjective = apps.get_model("objectives", "StrategicObjective")
    StrategicAction = apps.get_model("objectives", "StrategicAction")
    for objective in StrategicObjective.objects.all():
        objective.code = f"OE{objective.number}"
        objective.save(update_fields=["code"])
    for action in StrategicAction.objects.select_related("objective"):
        action.plan_id = action.objective.plan_id
        action.save(update_fields=["plan"])
    if Directorate.objects.exists():
        plan = Plan.objects.select_related("entity").order_by("pk").first()
        entity = plan.entity if plan else None
        if entity is None:
            entity, _ = Entity.objects.get_or_create(
                code=SECTOR_CODE, defaults={"name": SECTOR_NAME, "kind": "sector"}
            )
        Directorate.objects.update(entity=entity)


class Migration(migrations.Migration):
    dependencies = [("objectives", "0008_codes_per_plan_units_per_entity")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
