from django.core.management.base import BaseCommand

from indicators.mail import outbox, reminders
from indicators.management.commands.send_mail_outbox import report
from indicators.management.commands.send_reminders import add_today, day_of


class Command(BaseCommand):
    help = (
        "Escribe a cada validador lo que espera validación, del más antiguo al más reciente y "
        "con los días que lleva esperando (uno por persona y día, solo si algo espera), y luego "
        "envía el buzón de salida."
    )

    def add_arguments(self, parser):
        add_today(parser)

    def handle(self, *args, today: str | None = None, **options):
        queued = reminders.queue_backlog(today=day_of(today))
        self.stdout.write(f"Avisos de pendientes de validación nuevos: {queued}")
        report(self, outbox.send_due())
