from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_rules(sender, **kwargs):
    from .seed import seed_rules

    seed_rules()


class TiersConfig(AppConfig):
    name = "tiers"
    verbose_name = "School-improvement tiers"

    def ready(self):
        from . import receivers  # noqa: F401

        # After the academies app's own post_migrate (INSTALLED_APPS order): rules name measures.
        post_migrate.connect(_seed_rules, sender=self)
