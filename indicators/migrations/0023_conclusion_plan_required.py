import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("indicators", "0022_conclusion_plan_fill")]

    operations = [
        migrations.AlterField(
            model_name="reportconclusion",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="conclusions",
                to="objectives.plan",
                verbose_name="plan",
            ),
        ),
    ]
