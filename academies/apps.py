from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_measures(sender, **kwargs):
    from .catalogue import sync_catalogue

    sync_catalogue()


class AcademiesConfig(AppConfig):
    name = "academies"
    verbose_name = "Academies"

    def ready(self):
        post_migrate.connect(_sync_measures, sender=self)
