"""In CI (``SENTIBOT_TEST_REQUIRE_ALL``) a missing database or dataset fails instead of skipping."""

import pytest

from tests.postgres import REQUIRE_ENV, skip_or_fail


def test_skips_with_the_reason_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no database here"):
        skip_or_fail("no database here")


def test_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="no database here.*cannot be skipped"):
        skip_or_fail("no database here")
