"""Every report conclusion stored before plans were data is the PESEM's (the only plan)."""

from django.db import migrations


def fill(apps, schema_editor):
    Plan = apps.get_model("objectives", "Plan")
    ReportConclusion = apps.get_model("indicators", "ReportConclusion")
    Historical = apps.get_model("indicators", "HistoricalReportConclusion")
    plan = Plan.objects.filter(code="PESEM-RREE").first() or Plan.objects.order_by("pk").first()
    if plan is None:
        return
    ReportConclusion.objects.filter(plan__isnull=True).update(plan=plan)
    Historical.objects.filter(plan__isnull=True).update(plan=plan)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0021_conclusion_per_plan")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
