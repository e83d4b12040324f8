"""An indicator's plan: its objective's, else the plan of the database (the PESEM: its
variable and national indicators hang from no objective)."""

from django.db import migrations


def fill(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Plan = apps.get_model("objectives", "Plan")
    plan = Plan.objects.order_by("pk").first()
    for indicator in Indicator.objects.select_related("objective"):
        indicator.plan_id = indicator.objective.plan_id if indicator.objective else plan.pk
        indicator.save(update_fields=["plan"])


class Migration(migrations.Migration):
    dependencies = [("indicators", "0012_indicator_plan")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
