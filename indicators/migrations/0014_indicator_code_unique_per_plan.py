"""An indicator's plan required, and its code unique within the plan."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("indicators", "0013_fill_indicator_plan")]

    operations = [
        migrations.AlterField(
            model_name="indicator",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="indicators",
                to="objectives.plan",
                verbose_name="plan",
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="code",
            field=models.CharField(max_length=20, verbose_name="código"),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(
                fields=("plan", "code"),
                name="unique_indicator_code_per_plan",
                violation_error_message="El plan ya tiene un indicador con ese código.",
            ),
        ),
    ]
