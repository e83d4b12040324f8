"""Each indicator's display precision and whole-number flags, and whether a target's year is
published or inferred. For a database loaded before, the data step sets them as load_plan does
from the fixtures: the precision from the numbers the document publishes, the counts of the
PESEM 2015-2021, and the baselines dated 2014 by the system (their note says "Año inferido")."""

import django.core.validators
from django.db import migrations, models

MAX_PLACES = 4
DEFAULT_PLACES = 2
# Indicators whose parts are not counts (averages of an index, surveys, money).
NOT_COUNTS = {"V7.1", "V8.1", "V11.1", "NAC.3"}


def _places(texts):
    found = []
    for text in texts:
        text = text.strip()
        if not text:
            continue
        _, point, decimals = text.rpartition(".")
        found.append(len(decimals) if point and decimals.isdigit() else 0)
    return min(max(found), MAX_PLACES) if found else DEFAULT_PLACES


def set_from_document(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Target = apps.get_model("indicators", "Target")
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    texts = {}
    for indicator_id, text in Target.objects.values_list("indicator_id", "published_text"):
        texts.setdefault(indicator_id, []).append(text)
    for indicator_id, text in IndicatorValue.objects.filter(origin="plan").values_list(
        "indicator_id", "published_text"
    ):
        texts.setdefault(indicator_id, []).append(text)
    for indicator in Indicator.objects.all():
        ratio = bool(indicator.numerator and indicator.denominator)
        counts = indicator.code not in NOT_COUNTS
        indicator.decimals = _places(
            texts.get(indicator.pk, []) + [indicator.current_value_published]
        )
        indicator.numerator_is_whole = ratio and counts
        indicator.denominator_is_whole = ratio and counts
        indicator.value_is_whole = not ratio and counts
        indicator.save(
            update_fields=[
                "decimals",
                "numerator_is_whole",
                "denominator_is_whole",
                "value_is_whole",
            ]
        )
    Target.objects.filter(kind="baseline", note__startswith="Año inferido").update(
        year_published=False
    )
    Target.objects.filter(kind="baseline", year__isnull=True).update(year_published=False)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0005_report_conclusion"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltarget",
            name="year_published",
            field=models.BooleanField(
                default=True,
                help_text="Falso cuando el documento no da el año y el sistema lo infiere (se muestra «año inferido»).",
                verbose_name="año publicado en el documento",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="decimals",
            field=models.PositiveSmallIntegerField(
                default=2,
                help_text="Los que publica el documento (p. ej. 2 para 1.52, 0 para 938 178). Se usa en la grilla, la cola de validación, las páginas, los correos y el reporte.",
                validators=[django.core.validators.MaxValueValidator(6)],
                verbose_name="decimales mostrados",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="denominator_is_whole",
            field=models.BooleanField(
                default=False,
                help_text="Marque si el denominador es un conteo (p. ej. peruanos en el exterior).",
                verbose_name="el denominador es un número entero",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="numerator_is_whole",
            field=models.BooleanField(
                default=False,
                help_text="Marque si el numerador es un conteo (personas, puestos, reuniones, actividades).",
                verbose_name="el numerador es un número entero",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="value_is_whole",
            field=models.BooleanField(
                default=False,
                help_text="Marque si el valor es un conteo (personas, puestos, reuniones, actividades).",
                verbose_name="el valor es un número entero",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="year_published",
            field=models.BooleanField(
                default=True,
                help_text="Falso cuando el documento no da el año y el sistema lo infiere (se muestra «año inferido»).",
                verbose_name="año publicado en el documento",
            ),
        ),
        migrations.RunPython(set_from_document, migrations.RunPython.noop),
    ]
