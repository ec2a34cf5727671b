"""A throwaway test database for the benchmark: the developer's own is never touched."""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.template import Template
from django.test.utils import (
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)

SUFFIX = "_bench"


class UnsafeDatabase(RuntimeError):
    """Raised rather than run against a database that is not the throwaway one."""


@contextmanager
def throwaway_database(alias=DEFAULT_DB_ALIAS):
    """Create a test database for `alias`, yield its name, and drop it whatever happens.

    SQLite gets an in-memory database. Other backends get `test_<name>_bench`, so a test run
    using `test_<name>` at the same time is not clobbered; a database of that name left by an
    interrupted benchmark is dropped and made again.

    The test environment is set up as for a test run (DEBUG off, locmem email, "testserver"
    allowed) except for the instrumented template renderer: it copies every template context
    for the test client, a cost the pages would pay and the trivial view would not.
    """
    connection = connections[alias]
    real_name = connection.settings_dict["NAME"]
    test_settings = connection.settings_dict.setdefault("TEST", {})
    saved_test_name = test_settings.get("NAME")
    if connection.vendor == "sqlite":
        test_settings["NAME"] = None  # in memory
    else:
        test_settings["NAME"] = (saved_test_name or f"test_{real_name}") + SUFFIX

    renderer = Template._render
    setup_test_environment(debug=False)
    Template._render = renderer
    try:
        try:
            old_config = setup_databases(
                verbosity=0, interactive=False, aliases={alias}, serialized_aliases=()
            )
        except BaseException:
            # Made but not migrated (a failing migration, say): drop it all the same.
            if connection.settings_dict["NAME"] != real_name:
                connection.creation.destroy_test_db(real_name, verbosity=0)
            raise
        try:
            name = connection.settings_dict["NAME"]
            if name == real_name:
                raise UnsafeDatabase(f"Refusing to benchmark on the real database {real_name!r}.")
            yield name
        finally:
            teardown_databases(old_config, verbosity=0)
    finally:
        teardown_test_environment()
        test_settings["NAME"] = saved_test_name
