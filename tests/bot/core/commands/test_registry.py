"""Commands: the same replies on every platform, rate limit, admin checks, lazy features."""

from __future__ import annotations

import sys
import types

import pytest

from bot.core.commands.registry import COMMANDS, admin_refusal, slash_commands
from bot.core.commands.scoring import format_score, score_bar
from bot.core.messages import Command, Person
from model.types import Label, Score
from tests.bot.conftest import Harness, make_settings, start_harness

ADMIN = Person(id="A1", name="root", is_admin=True)
BOB = Person(id="U2", name="bob")


def test_score_bar_and_format() -> None:
    assert score_bar(0.0) == "░" * 10 and score_bar(1.0) == "█" * 10
    assert score_bar(0.87) == "█" * 9 + "░"
    line = format_score(Score(0.12, Label.NEGATIVE, "v1"))
    assert line.startswith("🙁 negative 0.12 █")
    assert "language 'fr'" in format_score(Score(None, Label.UNSCORED, "v1", "language:fr"))


async def test_sentiment_scores_text(harness: Harness) -> None:
    reply = await harness.adapter.command("sentiment", "I love this")
    # the channel never saw the command: the answer says who asked and about what (#15)
    assert reply.text == "alice asked about “I love this”: 🙂 positive 0.90 █████████░"
    assert not harness.repo.messages  # scoring a command's text stores nothing


async def test_a_quoted_text_cannot_ping_anyone(harness: Harness) -> None:
    text = "@everyone <!channel> <@U1> hi\n" + "x" * 200
    reply = await harness.adapter.command("sentiment", text)
    quoted = reply.text.split("”")[0]
    assert "@everyone" not in quoted and "<!channel>" not in quoted and "<@U1>" not in quoted
    assert "\n" not in quoted and len(quoted) < 140


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
async def test_sentiment_without_text_gives_usage(harness: Harness, text: str) -> None:
    reply = await harness.adapter.command("sentiment", text)
    assert reply.text.startswith("Usage: /sentiment <text>")


async def test_sentiment_over_the_limit_says_so(harness: Harness) -> None:
    limit = harness.app.settings.scoring.max_chars
    reply = await harness.adapter.command("sentiment", "terrible " * 120_000)  # ~1 MB
    assert "🙁 negative" in reply.text
    assert f"I scored the first {limit:,}" in reply.text


async def test_sentiment_unscored_language(harness: Harness) -> None:
    reply = await harness.adapter.command("sentiment", "bonjour tout le monde")
    assert "not scored" in reply.text and "'fr'" in reply.text


async def test_unknown_command_is_helpful(harness: Harness) -> None:
    reply = await harness.adapter.command("sentimnet", "x")
    assert "I don't know /sentimnet" in reply.text and "/help" in reply.text


async def test_help_lists_every_command(harness: Harness) -> None:
    reply = await harness.adapter.command("help")
    for name in COMMANDS:
        assert f"/{name}" in reply.text


async def test_rate_limit_is_per_user_and_polite(tmp_path) -> None:
    h = await start_harness(make_settings(tmp_path, "[bot]\nrate_limit_per_minute = 3\n"))
    for _ in range(3):
        assert "positive" in (await h.adapter.command("sentiment", "great")).text
    refused = await h.adapter.command("sentiment", "great")
    assert "a bit fast" in refused.text and "3 a minute" in refused.text and refused.ephemeral
    assert "positive" in (await h.adapter.command("sentiment", "great", user=BOB)).text
    assert await h.stop() == 0


class FakeRetrainer:
    """Starts nothing; counts corrections in ``repo`` like ``RetrainManager`` does."""

    def __init__(self, repo=None) -> None:  # noqa: ANN001
        self.started: list[Person] = []
        self.repo = repo
        self.used = 0  # corrections the last retrain learnt from
        self.running = False

    async def start(self, requested_by: Person, notify, *, force: bool = False) -> str:
        self.started.append(requested_by)
        if self.repo is not None:
            self.used = len(self.repo.feedback)
        await notify("epoch 1/1 done")
        return "Retrain started."

    async def new_corrections(self) -> tuple[int, int]:
        total = len(self.repo.feedback) if self.repo is not None else 0
        return total - self.used, total

    async def close(self) -> None:
        pass


async def test_retrain_is_refused_for_non_admins(tmp_path) -> None:
    retrainer = FakeRetrainer()
    h = await start_harness(make_settings(tmp_path), retrainer_factory=lambda *a: retrainer)
    reply = await h.adapter.command("sentiment-retrain", user=BOB)
    assert "Only admins" in reply.text and "Nothing was started" in reply.text
    assert retrainer.started == []
    reply = await h.adapter.command("sentiment-retrain", user=ADMIN)
    assert reply.text == "Retrain started." and retrainer.started == [ADMIN]
    posted = [h.adapter.outbox.get_nowait() for _ in range(h.adapter.outbox.qsize())]
    assert ("general", "epoch 1/1 done") in [(c, r.text) for c, r in posted]
    assert await h.stop() == 0


async def test_retrain_starts_by_itself_after_n_corrections_once(tmp_path) -> None:
    from bot.core.auto_retrain import AUTO
    from tests.fakes.storage import FakeRepository

    repo = FakeRepository()
    retrainer = FakeRetrainer(repo)
    settings = make_settings(tmp_path, "[train]\nauto_retrain_after = 2\n")
    h = await start_harness(settings, repository=repo, retrainer_factory=lambda *a: retrainer)
    await h.adapter.command("sentiment-feedback", "positive what a day")
    assert retrainer.started == []  # 1 of 2
    await h.adapter.command("sentiment-feedback", "negative what a mess")
    assert retrainer.started == [AUTO]  # 2 of 2: started once, by itself
    posted = [h.adapter.outbox.get_nowait() for _ in range(h.adapter.outbox.qsize())]
    assert any("automatic retrain after 2 corrections" in r.text for _, r in posted)
    await h.adapter.command("sentiment-feedback", "positive lovely")
    assert retrainer.started == [AUTO]  # 1 new since that retrain: not yet
    assert await h.stop() == 0


async def test_the_automatic_retrain_is_claimed_once_across_instances(tmp_path) -> None:
    from bot.core.auto_retrain import maybe_retrain
    from tests.fakes.storage import FakeRepository

    repo = FakeRepository()  # the shared database
    settings = make_settings(tmp_path, "[train]\nauto_retrain_after = 2\n")
    first, second = FakeRetrainer(repo), FakeRetrainer(repo)
    a = await start_harness(settings, repository=repo, retrainer_factory=lambda *x: first)
    b = await start_harness(settings, repository=repo, retrainer_factory=lambda *x: second)
    await a.adapter.command("sentiment-feedback", "positive what a day")
    await b.adapter.command("sentiment-feedback", "negative what a mess")  # the 2nd: b starts
    assert (len(first.started), len(second.started)) == (0, 1)
    assert not await maybe_retrain(a.bot, "general")  # a sees 2 new too, but the claim is b's
    assert first.started == []
    assert await a.stop() == 0 and await b.stop() == 0


async def test_retrain_turned_off_says_so(harness: Harness) -> None:
    reply = await harness.adapter.command("sentiment-retrain", user=ADMIN)
    assert reply.text == "Retraining is not running in this instance."


async def test_report_for_this_channel(harness: Harness) -> None:
    for text in ["great", "good", "bad", "love", "awful", "great"]:
        await harness.adapter.say(text)
    reply = await harness.adapter.command("sentiment-report", "7d")  # no explicit flush needed
    assert "#general" in reply.text and "Messages: 6 scored" in reply.text
    assert "Mean score: 0.633" in reply.text
    assert [path.suffix for path in reply.files] == [".png"] and reply.files[0].is_file()


async def test_report_of_another_channel_needs_admin(harness: Harness) -> None:
    reply = await harness.adapter.command("sentiment-report", "#other 24h", user=BOB)
    assert "Only admins" in reply.text
    reply = await harness.adapter.command("sentiment-report", "<#C999|other>", user=ADMIN)
    assert "C999" in reply.text  # the Slack channel reference resolved to its id


async def test_report_bad_period(harness: Harness) -> None:
    reply = await harness.adapter.command("sentiment-report", "24x")
    assert "Usage: /sentiment-report" in reply.text


async def test_feedback_on_last_message(harness: Harness) -> None:
    reply = await harness.adapter.command("sentiment-feedback", "positive")
    assert "no recent scored message" in reply.text
    await harness.adapter.say("this is bad")
    reply = await harness.adapter.command("sentiment-feedback", "👍")
    assert "is positive" in reply.text
    [fb] = harness.repo.feedback
    assert (fb.label, fb.text, fb.user_id) == ("positive", "this is bad", "U1")
    assert fb.channel == "general"
    reply = await harness.adapter.command("sentiment-feedback", "maybe")
    assert reply.text.startswith("Usage: /sentiment-feedback")


async def test_feedback_on_given_text(harness: Harness) -> None:
    # What adapters send for a 👎 on the bot's reply to "/sentiment not bad at all".
    reply = await harness.adapter.command("sentiment-feedback", "negative not bad at all", user=BOB)
    assert "this text is negative" in reply.text
    [fb] = harness.repo.feedback
    assert (fb.label, fb.text, fb.user_id) == ("negative", "not bad at all", "U2")
    assert fb.message_id == ""


async def test_explain_delegates_off_the_loop(harness: Harness, monkeypatch) -> None:
    import threading

    import model

    seen = {}
    fake = types.ModuleType("model.explain")

    def explain(scorer, text):
        seen["thread"] = threading.current_thread() is not threading.main_thread()
        return [(text, 0.5)]

    fake.explain = explain
    fake.format_explanation = lambda result: f"explained {result[0][0]}"
    monkeypatch.setitem(sys.modules, "model.explain", fake)
    monkeypatch.setattr(model, "explain", fake, raising=False)
    reply = await harness.adapter.command("sentiment-explain", "great")
    assert reply.text == "explained great" and seen["thread"]


async def test_a_failing_command_answers_politely(harness: Harness) -> None:
    harness.repo.fail = RuntimeError("boom")
    reply = await harness.adapter.command("sentiment-optin")
    assert "Sorry, /sentiment-optin failed" in reply.text
    harness.repo.fail = None


async def test_schedule_change_needs_admin(harness: Harness) -> None:
    reply = await harness.adapter.command("sentiment-schedule", "0 8 * * *", user=BOB)
    assert "Only admins" in reply.text
    reply = await harness.adapter.command("sentiment-schedule", "0 8 * * *", user=ADMIN)
    assert "not running" in reply.text  # this harness has no scheduler


async def test_feedback_reads_reactions_like_the_adapters_send(harness: Harness) -> None:
    # bot.core.feedback.parse_feedback is the one reader: skin tones and Slack names count too.
    await harness.adapter.command("sentiment-feedback", "👎🏽 so so\x00 food", user=BOB)
    await harness.adapter.command("sentiment-feedback", ":+1: lovely", user=BOB)
    first, second = harness.repo.feedback
    assert (first.label, first.text) == ("negative", "so so food")  # NUL dropped for storage
    assert (second.label, second.text) == ("positive", "lovely")


@pytest.mark.parametrize(
    "platform,expected",
    [
        ("slack", "only this workspace's admins and owners"),
        ("discord", "only this server's admins"),
        ("shell", "Only admins can start a retrain"),
    ],
)
def test_admin_refusal_is_one_check_with_each_platforms_words(platform, expected) -> None:
    command = Command(platform, "W1", "C1", BOB, "/sentiment-retrain")
    refusal = admin_refusal(command)
    assert refusal is not None and refusal.ephemeral and expected in refusal.text
    assert "[admins]" not in refusal.text  # words for users, not operators (#15)
    assert admin_refusal(Command(platform, "W1", "C1", ADMIN, "sentiment-retrain")) is None
    assert admin_refusal(Command(platform, "W1", "C1", BOB, "sentiment")) is None


def test_every_command_is_declared_once_and_help_is_the_shells_only() -> None:
    assert [spec.name for spec in slash_commands()] == [n for n in COMMANDS if n != "help"]
    assert all(spec.usage.startswith(spec.name) for spec in COMMANDS.values())
    assert [spec.name for spec in COMMANDS.values() if spec.admin] == ["sentiment-retrain"]
