"""``sentibot db upgrade`` / ``sentibot db current`` (the ``db`` command module on its own)."""

from __future__ import annotations

import argparse

import pytest

from bot.cli import db as cli_db


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="sentibot")
    parser.add_argument("--config", default=None)
    cli_db.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_current_then_upgrade(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("db", "current", "--url", sqlite_url) == 1
    assert "none (empty database)" in capsys.readouterr().out
    assert run("db", "upgrade", "--url", sqlite_url) == 0
    assert "(newest)" in capsys.readouterr().out
    assert run("db", "current", "--url", sqlite_url) == 0


def test_url_from_config(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENTIBOT_STORAGE__URL", sqlite_url)
    assert run("db", "upgrade") == 0
    assert sqlite_url in capsys.readouterr().out


def test_unreachable_database_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("db", "upgrade", "--url", "postgresql+psycopg://u:pw@127.0.0.1:9/x") == 1
    err = capsys.readouterr().err
    assert err.startswith("sentibot: cannot reach database") and "pw@" not in err
    assert err.count("\n") == 1
