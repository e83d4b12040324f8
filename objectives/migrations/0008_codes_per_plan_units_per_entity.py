"""Codes unique within a plan and units within an entity, first step: an objective gets its
`code`, an action its plan, a unit its entity, empty for now (0009 fills them, 0010 makes
them required and unique). Three migrations: PostgreSQL refuses to alter a table whose rows
the same transaction has just updated."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("objectives", "0007_plan_version_four_eyes")]

    operations = [
        migrations.AddField(
            model_name="strategicobjective",
            name="code",
            field=models.CharField(
                default="",
                help_text="Por omisión, OE y el número (OE1).",
                max_length=20,
                verbose_name="código",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="strategicaction",
            name="plan",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="actions",
                to="objectives.plan",
                verbose_name="plan",
            ),
        ),
        migrations.AddField(
            model_name="directorate",
            name="entity",
            field=models.ForeignKey(
                help_text="Entidad a la que pertenece la unidad.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="units",
                to="objectives.entity",
                verbose_name="entidad",
            ),
        ),
    ]
