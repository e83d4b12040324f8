"""Every deadline stored before plans were data is the PESEM's (the only plan then)."""

from django.db import migrations


def fill(apps, schema_editor):
    Plan = apps.get_model("objectives", "Plan")
    ReportingDeadline = apps.get_model("indicators", "ReportingDeadline")
    HistoricalReportingDeadline = apps.get_model("indicators", "HistoricalReportingDeadline")
    plan = Plan.objects.filter(code="PESEM-RREE").first() or Plan.objects.order_by("pk").first()
    if plan is None:
        return
    ReportingDeadline.objects.filter(plan__isnull=True).update(plan=plan)
    HistoricalReportingDeadline.objects.filter(plan__isnull=True).update(plan=plan)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0017_deadline_per_plan_period"),
        ("objectives", "0011_articulation"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
