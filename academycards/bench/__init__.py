"""The benchmark behind `make bench` (`python manage.py bench`).

Budgets are checked here, not by timed tests (see DESIGN.md, "Performance"): every measurement
runs on a throwaway database, against a baseline measured in the same run, and prints a ratio,
because absolute times on these machines are noisy.

- `database.throwaway_database()`: a test database, created and always torn down; the
  developer's database is never opened.
- `world.BenchTrust`: one trust built in bulk, grown from 21 academies to 500 (or `--academies`),
  with a person for each point of view the pages are measured from (`BenchTrust.people`).
- `pages.PAGE_CASES`: the pages measured, each a `PageCase(label, who, url)`. To measure a new
  page, add one line with `pages.page(...)`; it is counted at both sizes, timed against the
  trivial view and fails the run if its query count grows with the trust.
- `imports.measure_import`: a synthetic 25,000-row national file (EES absence layout) imported
  by the real pipeline, timed against pandas reading the same bytes alone; rows per second.
- `progress.ProgressBench`: targets and a year's results for every open academy, grown with the
  trust; `academies.progress.recompute()` over the whole trust (every target written again, and
  nothing changed) timed against reading the same rows as tuples, its queries counted at both
  sizes (the reads must not grow; the writes are UPDATEs in batches).
- `health.HealthRecords`: the trust's health checks (2 an academy, in every state) and risk
  register (6 risks an academy, some trust-only, some closed, some overdue; and a few about the
  trust itself), grown with the trust in bulk, for the register, report and API pages.
- `rules.RulesBench`: the trust's risk rules and the figures, inspections and reports they look
  at, grown with the trust; `healthchecks.rules.run()` over every academy (a first run raising
  every risk, and a steady run raising nothing) timed against reading the same rows, per
  academy, its queries counted at both sizes (a steady run's must not grow). It runs in its own
  process after `manage.py bench`: `python -m academycards.bench` (`make bench` runs both).
- `measure`: counting queries and interleaved timing, usable by later measurements (tier
  recalculation, imports, board packs) that bring their own baseline.
"""
