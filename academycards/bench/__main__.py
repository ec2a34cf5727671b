"""`python -m academycards.bench`: the risk rules over the whole trust (`academycards.bench.rules`),
on a throwaway database. `make bench` runs it after `manage.py bench`, with the same options
(`--academies`; `--rules-repeat` for the number of timed runs; the page benchmark's own options are
ignored here)."""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trust.settings")
    import django

    django.setup()
    from academycards.bench.rules import main as measure_rules

    return measure_rules(argv)


if __name__ == "__main__":
    sys.exit(main())
