from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_PASSWORD = "pesem-demo"


class Command(BaseCommand):
    help = "Crea las cuentas de demostración locales (solo con DJANGO_DEBUG=1)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Las cuentas de demostración solo se crean con DJANGO_DEBUG=1 (desarrollo local)."
            )
        user_model = get_user_model()
        admin, created = user_model.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        self.stdout.write("")
        self.stdout.write("Sitio local: http://127.0.0.1:8000/")
        self.stdout.write(f"Ingrese con usuario «admin» y contraseña «{DEMO_PASSWORD}»")
        self.stdout.write("(cuenta de demostración; solo existe con DJANGO_DEBUG=1).")
        self.stdout.write("")
