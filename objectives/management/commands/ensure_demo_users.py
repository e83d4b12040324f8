from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from objectives import plans
from objectives.models import Directorate, Role, StaffProfile

DEMO_PASSWORD = "pesem-demo"
# username, role, directorate, staff (admin access)
DEMO_USERS = [
    ("admin", Role.ADMINISTRATOR, "OPP", True),
    ("registrador.dgc", Role.REGISTRAR, "DGC", False),
    ("registrador.dpe", Role.REGISTRAR, "DPE", False),
    ("validador.opp", Role.VALIDATOR, "OPP", False),
    ("director.dpe", Role.DIRECTOR, "DPE", False),
]

# Mails to them go to the console under `make run` (no EMAIL_HOST): the domain is reserved.
DEMO_EMAIL_DOMAIN = "pesem.example"


def demo_email(username: str) -> str:
    return f"{username}@{DEMO_EMAIL_DOMAIN}"


class Command(BaseCommand):
    help = "Crea las cuentas de demostración locales (solo con DJANGO_DEBUG=1)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Las cuentas de demostración solo se crean con DJANGO_DEBUG=1 (desarrollo local)."
            )
        user_model = get_user_model()
        for username, role, code, staff in DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={"is_staff": staff, "is_superuser": staff, "email": demo_email(username)},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            elif not user.email:  # accounts made before demo users had addresses
                user.email = demo_email(username)
                user.save(update_fields=["email"])
            user.groups.add(Group.objects.get(name=role))
            StaffProfile.objects.get_or_create(
                user=user,
                defaults={
                    "directorate": Directorate.objects.get(entity=plans.shown_entity(), code=code)
                },
            )
        self.stdout.write("")
        self.stdout.write("Sitio local: http://127.0.0.1:8000/")
        self.stdout.write(f"Cuentas de demostración (contraseña «{DEMO_PASSWORD}»):")
        for username, role, code, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<18} {role.label} ({code}), {demo_email(username)}")
        self.stdout.write("(solo existen con DJANGO_DEBUG=1)")
        self.stdout.write("")
