import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("indicators", "0018_deadline_plan_fill")]

    operations = [
        migrations.AlterField(
            model_name="reportingdeadline",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deadlines",
                to="objectives.plan",
                verbose_name="plan",
            ),
        ),
    ]
