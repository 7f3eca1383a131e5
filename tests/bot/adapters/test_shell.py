"""The shell adapter in-process: a pipe for stdin, a buffer for stdout, fakes for the rest."""

from __future__ import annotations

import asyncio
import io
import os
import threading

from bot.adapters.shell import LINE_CAP, ShellAdapter, read_lines
from bot.bootstrap import build_app
from bot.core.messages import Reply
from tests.bot.conftest import make_settings
from tests.fakes.scoring import FakeScorer
from tests.fakes.storage import FakeRepository


def test_read_lines_splits_and_caps(tmp_path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(b"one\ntwo\r\n" + b"x" * (LINE_CAP + 10) + b"\nlast")
    with path.open("rb") as handle:
        lines = list(read_lines(handle.fileno(), chunk=1 << 20))
    assert lines[:2] == [b"one", b"two\r"]
    assert len(lines[2]) == LINE_CAP and lines[3] == b"last" and len(lines) == 4


async def run_shell(tmp_path, data: bytes, **config: str):
    """Run the bot on a shell adapter fed ``data``; return (exit status, stdout, repository)."""
    settings = make_settings(tmp_path, "[storage]\nflush_interval_ms = 5\n")
    read_fd, write_fd = os.pipe()
    out = io.StringIO()
    adapter = ShellAdapter(settings.bot.shell_channel, stdin_fd=read_fd, out=out)
    repo = FakeRepository()
    app = build_app(
        settings,
        adapter=adapter,
        scorer=FakeScorer(settings.scoring),
        repository=repo,
        scheduler_factory=None,
        retrainer_factory=None,
    )

    def feed() -> None:
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)

    threading.Thread(target=feed, daemon=True).start()
    status = await asyncio.wait_for(app.run(), 30)
    os.close(read_fd)
    return status, out.getvalue(), repo, adapter


async def test_lines_are_stored_and_commands_answered(tmp_path) -> None:
    lines = ["great stuff", "", "awful bug", "/sentiment I love it", "/sentiment-report", "/nope"]
    status, out, repo, adapter = await run_shell(tmp_path, "\n".join(lines).encode())
    assert status == 0
    stored = sorted(repo.messages.values(), key=lambda m: int(m.message_id.split("-")[1]))
    assert [(m.platform, m.channel, m.label) for m in stored] == [
        ("shell", "local", "positive"),
        ("shell", "local", "negative"),
    ]
    printed = out.splitlines()
    assert "sentibot> 🙂 positive 0.90 █████████░" in printed
    assert "sentibot> Sentiment report for #local (shell), last 24h" in printed
    assert "fewer than 5" in out  # the report saw both messages said before it
    assert any(line.startswith("sentibot> I don't know /nope") for line in printed)
    assert (adapter.messages, adapter.commands) == (2, 3)  # the blank line is not a message


async def test_local_user_is_admin(tmp_path) -> None:
    status, out, _, _ = await run_shell(tmp_path, b"/sentiment-retrain\n")
    assert status == 0
    assert "Retraining is not running in this instance." in out and "Only admins" not in out


async def test_many_lines_piped_are_all_stored(tmp_path) -> None:
    data = "".join(f"good line {i}\n" for i in range(3000)).encode()
    status, _, repo, _ = await run_shell(tmp_path, data)
    assert status == 0 and len(repo.messages) == 3000


async def test_bad_bytes_and_huge_lines(tmp_path) -> None:
    data = b"\xff\xfe broken utf8 bad\n" + b"good " * 200_000 + b"\n\x00\x1b[2J\n\xf0\x9f\x8e\x89\n"
    status, _, repo, _ = await run_shell(tmp_path, data)
    assert status == 0 and len(repo.messages) == 4
    labels = sorted(m.label for m in repo.messages.values())
    assert labels == ["negative", "neutral", "neutral", "positive"]


async def test_post_prints_with_channel(capsys) -> None:
    adapter = ShellAdapter("local", out=None)
    await adapter.post("local", Reply("daily report"))
    assert capsys.readouterr().out == "[#local] sentibot> daily report\n"


async def test_quit_ends_the_session_and_help_says_so(tmp_path) -> None:
    data = b"/help\ngreat\n/quit\nnever read\n"
    status, out, repo, adapter = await run_shell(tmp_path, data)
    assert status == 0
    assert "/quit — leave (or Ctrl-D)" in out and "sentibot> bye" in out
    assert "/press N — press button [N] of the last answer" in out
    assert [m.text for m in repo.messages.values()] == [None]  # "great" stored (no text kept)
    assert adapter.messages == 1  # the line after /quit was not taken


async def test_the_local_user_is_not_rate_limited(tmp_path) -> None:
    data = b"".join(b"/sentiment good %d\n" % i for i in range(60))
    status, out, _, adapter = await run_shell(tmp_path, data)
    assert status == 0 and adapter.commands == 60
    assert "a bit fast" not in out


async def test_at_a_terminal_a_message_gets_its_score_back(tmp_path) -> None:
    import pty

    settings = make_settings(tmp_path, "[storage]\nflush_interval_ms = 5\n")
    master, slave = pty.openpty()
    out = io.StringIO()
    adapter = ShellAdapter("local", stdin_fd=slave, out=out)
    app = build_app(
        settings,
        adapter=adapter,
        scorer=FakeScorer(settings.scoring),
        repository=FakeRepository(),
        scheduler_factory=None,
        retrainer_factory=None,
    )
    os.write(master, b"hello\nthis is great\n/quit\n")
    status = await asyncio.wait_for(app.run(), 30)
    os.close(master)
    os.close(slave)
    printed = out.getvalue().splitlines()
    assert status == 0
    assert printed[0].startswith("sentibot shell, #local") and "/quit" in printed[0]
    assert "  😐 neutral 0.50 █████░░░░░" in printed
    assert "  🙂 positive 0.90 █████████░" in printed


async def test_buttons_are_numbered_and_pressed_with_slash_press(tmp_path) -> None:
    data = b"/sentiment what a great release\n/press 2\n/press 9\n"
    status, out, repo, _ = await run_shell(tmp_path, data)
    assert status == 0
    assert "[1] ✅ right  [2] ❌ wrong, it's negative  (/press N)" in out
    assert "Thanks! Noted that it's negative." in out
    assert "No such button" in out
    [correction] = repo.list_feedback()
    assert (correction.label, correction.text) == ("negative", "what a great release")
