"""`python -m academycards.bench`: the risk rules over the whole trust (`academycards.bench.rules`),
then the tier recalculation over 1,000 academies (`academycards.bench.tiers`), each on a throwaway
database of its own. `make bench` runs it after `manage.py bench`, with the same options
(`--academies` for the rules; `--rules-repeat` for the number of their timed runs;
`--tier-academies` and `--tiers-repeat` for the tiers; the page benchmark's own options are
ignored here). Both always run; the exit status is 1 if either fails."""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trust.settings")
    import django

    django.setup()
    from academycards.bench.rules import main as measure_rules
    from academycards.bench.tiers import main as measure_tiers

    statuses = [measure_rules(argv), measure_tiers(argv)]
    return max(statuses)


if __name__ == "__main__":
    sys.exit(main())
