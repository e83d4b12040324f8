from django.core.management.base import BaseCommand

from indicators.workflow import status


class Command(BaseCommand):
    help = (
        "Recalcula los estados anuales guardados de todos los indicadores (tras cambiar los "
        "umbrales del semáforo o una carga masiva)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Estados recalculados: {status.refresh()}")
