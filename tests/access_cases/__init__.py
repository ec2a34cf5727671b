"""Access cases for the URL matrix, one module per area: each defines CASES, a list of
tests.access_cases.common.Case, gathered here for tests/trust/test_access_matrix.py."""

import importlib
import pkgutil

CASES = []
for _module in pkgutil.iter_modules(__path__):
    if _module.name != "common":
        CASES.extend(importlib.import_module(f"{__name__}.{_module.name}").CASES)
