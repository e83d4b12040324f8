import json

from django.core.management.base import BaseCommand

from pesem.planio.export import plan_as_dict


class Command(BaseCommand):
    help = "Imprime el plan completo en JSON (formato de datos abiertos del proyecto)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="Archivo de salida (por defecto, la salida estándar)."
        )

    def handle(self, *args, output=None, **options):
        text = json.dumps(plan_as_dict(), ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        else:
            self.stdout.write(text)
