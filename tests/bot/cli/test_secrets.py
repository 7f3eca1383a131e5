"""A database URL's password never reaches the terminal, in any command (#12)."""

from __future__ import annotations

import io
import logging
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from bot.cli.main import main

URL = "postgresql+psycopg://bob:hunter2-s3cret@127.0.0.1:1/nodb"


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--channel", "general"],
        ["models"],
        ["db", "current"],
        ["db", "upgrade"],
        ["run", "--adapter", "shell"],
    ],
)
def test_a_bad_url_is_one_line_without_the_password(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SENTIBOT_STORAGE__URL", URL)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    printed = out.getvalue() + err.getvalue()
    assert code != 0
    assert "hunter2" not in printed and "s3cret" not in printed
    assert "***" in printed and "Traceback" not in printed
    assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()


def test_auto_says_why_a_platform_was_skipped(caplog: pytest.LogCaptureFixture) -> None:
    from bot.config import Secrets, Settings
    from bot.factories import choose_adapter

    settings = Settings()
    both = Secrets({"SLACK_BOT_TOKEN": "xoxb-1", "DISCORD_TOKEN": "d"})
    assert choose_adapter(settings, both) == "slack"
    assert "DISCORD_TOKEN ignored" in caplog.text
    caplog.clear()
    assert choose_adapter(settings, Secrets({"SLACK_APP_TOKEN": "xapp-1"})) == "shell"
    assert "SLACK_BOT_TOKEN is not" in caplog.text and "xapp-1" not in caplog.text


def test_commands_are_quiet_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["db", "upgrade"]) == 0
    captured = capsys.readouterr()
    assert "INFO" not in captured.err
    assert logging.getLogger().level == logging.WARNING
    assert main(["-v", "db", "current"]) == 0
    assert logging.getLogger().level == logging.INFO
