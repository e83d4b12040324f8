from django.core.management.base import BaseCommand

from indicators.mail import outbox, reminders
from indicators.management.commands.send_mail_outbox import report
from indicators.management.commands.send_reminders import add_today, day_of


class Command(BaseCommand):
    help = (
        "Resumen semanal de atrasos: a los directores de cada dirección con información "
        "vencida, lo que su dirección debe; a los validadores, todas las direcciones atrasadas "
        "(uno por persona y semana), y luego envía el buzón de salida."
    )

    def add_arguments(self, parser):
        add_today(parser)

    def handle(self, *args, today: str | None = None, **options):
        queued = reminders.queue_overdue_summary(today=day_of(today))
        self.stdout.write(f"Resúmenes de atrasos nuevos: {queued}")
        report(self, outbox.send_due())
