"""PostgreSQL test fixtures shared by every test folder.

Each test gets its own schema on the server named by ``SENTIBOT_TEST_POSTGRES_URL`` (dropped
afterwards), so tests are independent and can share one server; without the variable the test
is skipped with a printed reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

POSTGRES_ENV = "SENTIBOT_TEST_POSTGRES_URL"
POSTGRES_SKIP = (
    f"PostgreSQL tests skipped: set {POSTGRES_ENV} "
    "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
)


# Set by .ci/run: there, a missing database or dataset fails the test instead of skipping it.
REQUIRE_ENV = "SENTIBOT_TEST_REQUIRE_ALL"


def skip_or_fail(reason: str) -> None:
    """Skip the test saying why, or fail it when ``SENTIBOT_TEST_REQUIRE_ALL`` is set (CI)."""
    print(reason)
    if os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0"):
        pytest.fail(f"{reason} ({REQUIRE_ENV} is set, so this cannot be skipped)")
    else:
        pytest.skip(reason=f"skipped outside CI: {reason}")


def postgres_base_url() -> str:
    """The server URL from the environment, or skip (in CI: fail) the test saying why."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        skip_or_fail(POSTGRES_SKIP)
    return url


def with_search_path(base: str, schema: str) -> str:
    """``base`` with every connection's search_path set to ``schema``."""
    url = sa.engine.make_url(base)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    base = postgres_base_url()
    schema = f"sentibot_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
