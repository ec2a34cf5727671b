from django.db import connection
from django.test.utils import CaptureQueriesContext

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def queries_for(client, url, **extra):
    """The SQL statements one request makes, without transaction control (which SQLite logs
    and PostgreSQL does not), so that counts are the same on both."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    statements = [
        q["sql"] for q in captured.captured_queries
        if not q["sql"].upper().startswith(TRANSACTION_CONTROL)
    ]
    return response, statements
