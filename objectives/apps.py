from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "objectives"
    verbose_name = "Plan y estrategia"

    def ready(self) -> None:
        # The app registry must be ready before roles (which imports models) is loaded.
        from objectives import roles

        roles.connect(self)
