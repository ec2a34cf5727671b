from django.apps import AppConfig


class HealthchecksConfig(AppConfig):
    name = "healthchecks"
    verbose_name = "Health checks and risks"

    def ready(self):
        from . import receivers  # noqa: F401
