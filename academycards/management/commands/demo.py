import logging
import secrets

from django.core.management.base import BaseCommand
from django.db import transaction

import academies.demo
import academies.demo_data
import academies.demo_targets
import healthchecks.demo
import tiers.demo
import trust.demo
from healthchecks.models import GovernorVisit, HealthCheck, Risk, RiskRule


class Command(BaseCommand):
    help = (
        "Build (or bring up to date) a realistic demo trust: about 21 academies in three hubs "
        "and one person per role, all signing in with the same password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for every demo login (default: a new random one, printed).",
        )

    def handle(self, *args, password=None, **options):
        password = password or secrets.token_urlsafe(12)
        # The targets' history makes hundreds of notifications, none of them emailed: the email
        # task run in-process for each would log its "sent 0" at INFO.
        trace = logging.getLogger("celery.app.trace")
        level = trace.level
        trace.setLevel(logging.WARNING)
        try:
            self.build(password)
        finally:
            trace.setLevel(level)

    def build(self, password):
        with transaction.atomic():
            the_trust, hubs, logins = trust.demo.build(password)
            academy_map, academy_logins = academies.demo.build(the_trust, hubs, password)
            school_list = list(academy_map.values())
            batches = academies.demo_data.build_results(school_list)
            academies.demo_data.build_inspections(school_list)
            academies.demo_data.build_sef(school_list)
            academies.demo_targets.build_targets(school_list)
            academies.demo_targets.build_plans(school_list)
            healthchecks.demo.build(school_list)
            tiers.demo.build(school_list)
        logins += academy_logins
        self.stdout.write(
            f"{the_trust.name}: {len(academy_map)} academies in {len(hubs)} hubs, "
            f"{sum(b.created for b in batches)} figures from {len(batches)} imports, "
            "inspections in all three Ofsted frameworks, self-evaluation this year and last, last year's "
            "and this year's targets in every state, a development plan for every academy, "
            f"{HealthCheck.objects.count()} health checks with their actions, a risk register of "
            f"{Risk.objects.count()} risks ({Risk.objects.exclude(rule=None).count()} raised by the "
            f"trust's {RiskRule.objects.count()} rules) and {GovernorVisit.objects.count()} "
            f"link-governor visits. {tiers.demo.summary()}\n"
            f"Every login below uses the password: {password}\n"
        )
        rows = [("Role", "Email", "URN"), *logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
