"""Codes unique within a plan and units within an entity, last step: required, and unique
per plan (objectives' numbers and codes, actions' codes) and per entity (units' codes)."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("objectives", "0009_fill_codes_per_plan_units_per_entity")]

    operations = [
        migrations.AlterField(
            model_name="strategicaction",
            name="plan",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="actions",
                to="objectives.plan",
                verbose_name="plan",
            ),
        ),
        migrations.AlterField(
            model_name="directorate",
            name="entity",
            field=models.ForeignKey(
                help_text="Entidad a la que pertenece la unidad.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="units",
                to="objectives.entity",
                verbose_name="entidad",
            ),
        ),
        migrations.AlterField(
            model_name="directorate",
            name="code",
            field=models.CharField(max_length=12, verbose_name="sigla"),
        ),
        migrations.AlterField(
            model_name="strategicaction",
            name="code",
            field=models.CharField(max_length=12, verbose_name="código"),
        ),
        migrations.AlterField(
            model_name="strategicobjective",
            name="number",
            field=models.PositiveSmallIntegerField(verbose_name="número"),
        ),
        migrations.AddConstraint(
            model_name="directorate",
            constraint=models.UniqueConstraint(
                fields=("entity", "code"),
                name="unique_unit_code_per_entity",
                violation_error_message="Esa sigla ya es de otra unidad de la entidad.",
            ),
        ),
        migrations.AddConstraint(
            model_name="strategicaction",
            constraint=models.UniqueConstraint(
                fields=("plan", "code"),
                name="unique_action_code_per_plan",
                violation_error_message="El plan ya tiene una acción con ese código.",
            ),
        ),
        migrations.AddConstraint(
            model_name="strategicobjective",
            constraint=models.UniqueConstraint(
                fields=("plan", "number"),
                name="unique_objective_number_per_plan",
                violation_error_message="El plan ya tiene un objetivo con ese número.",
            ),
        ),
        migrations.AddConstraint(
            model_name="strategicobjective",
            constraint=models.UniqueConstraint(
                fields=("plan", "code"),
                name="unique_objective_code_per_plan",
                violation_error_message="El plan ya tiene un objetivo con ese código.",
            ),
        ),
    ]
