"""An indicator's code unique within its plan, first step: the indicator gets its plan,
empty for now (0013 fills it, 0014 makes it required and the code unique per plan)."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0011_indicator_aggregation"),
        ("objectives", "0010_codes_unique_per_plan_units_per_entity"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="plan",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="indicators",
                to="objectives.plan",
                verbose_name="plan",
            ),
        ),
    ]
