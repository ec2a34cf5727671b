"""python manage.py recalculate_tiers [--academy URN ...]: recompute and print each academy's
recommended tier beside its agreed tier, with the reasons."""

from django.core.management.base import BaseCommand, CommandError

from academies.models import Academy
from tiers.engine import Status
from tiers.models import TierAssignment
from tiers.services import recalculate
from trust.models import AcademicYear

MARKS = {"clear": "ok", "missing": "--", "out_of_date": "old"}


class Command(BaseCommand):
    help = "Recalculate the tier recommendations and print each academy's, with its trace."

    def add_arguments(self, parser):
        parser.add_argument(
            "--academy", action="append", metavar="URN", help="Only this academy (repeatable)."
        )
        parser.add_argument("--brief", action="store_true", help="One line per academy, without the trace.")

    def handle(self, *args, academy=None, brief=False, **options):
        ids = None
        if academy:
            found = dict(Academy.objects.filter(urn__in=academy).values_list("urn", "pk"))
            unknown = sorted(set(academy) - set(found))
            if unknown:
                raise CommandError(
                    f"No academy with URN {', '.join(unknown)}: check the number in the academy list."
                )
            ids = list(found.values())
        year = AcademicYear.current()
        outcomes = recalculate(ids, year=year)
        agreed = dict(
            TierAssignment.objects.agreed()
            .filter(academy__in=[a.pk for a in outcomes], academic_year=year)
            .values_list("academy_id", "tier")
        )
        self.stdout.write(f"Tier recommendations for {year}:")
        for academy_obj, outcome in sorted(outcomes.items(), key=lambda item: item[0].name):
            recommended = f"tier {outcome.tier}" if outcome.tier else "not enough evidence"
            now = agreed.get(academy_obj.pk)
            agreed_text = f"agreed tier {now}" if now else "no agreed tier"
            flag = "  << differs" if outcome.tier and now and outcome.tier != now else ""
            mean = f" (weighted mean {outcome.weighted_mean})" if outcome.weighted_mean is not None else ""
            self.stdout.write(
                f"{academy_obj.urn} {academy_obj.name}: {recommended}{mean}; {agreed_text}{flag}"
            )
            if brief:
                continue
            for line in outcome.lines:
                if line.status == Status.NOT_APPLICABLE:
                    continue
                mark = MARKS.get(line.status) or f"T{line.tier}"
                self.stdout.write(f"    [{mark:>3}] {line.name}: {line.explanation}")
        self.stdout.write(self.style.SUCCESS(f"{len(outcomes)} academies recalculated."))
