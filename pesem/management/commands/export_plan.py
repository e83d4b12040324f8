import json

from django.core.management.base import BaseCommand, CommandError

from objectives import plans
from objectives.models import Plan
from pesem.planio.export import plan_as_dict


class Command(BaseCommand):
    help = "Imprime el plan completo en JSON (formato de datos abiertos del proyecto)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="Archivo de salida (por defecto, la salida estándar)."
        )
        parser.add_argument(
            "--plan",
            default=plans.SHOWN_CODE,
            help=f"Código del plan (por defecto, {plans.SHOWN_CODE}).",
        )

    def handle(self, *args, output=None, plan=plans.SHOWN_CODE, **options):
        if not Plan.objects.filter(code=plan).exists():
            known = ", ".join(Plan.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No existe el plan {plan}; los planes son: {known}.")
        with plans.showing(plan):
            text = json.dumps(plan_as_dict(), ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        else:
            self.stdout.write(text)
