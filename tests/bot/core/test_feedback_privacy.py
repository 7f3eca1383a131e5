"""Feedback obeys privacy: the text belongs to its author, an opt-out wins (#12)."""

from __future__ import annotations

from bot.core.commands.own_data import NOT_KEPT
from bot.core.messages import Command, Person
from tests.bot.conftest import Harness

ANN = Person("U1", "ann")
BOB = Person("U2", "bob")


async def test_an_opted_out_persons_correction_is_not_kept(harness: Harness) -> None:
    await harness.adapter.say("this is bad", user=ANN)
    await harness.settle()
    await harness.adapter.command("sentiment-optout", user=ANN)
    reply = await harness.adapter.command("sentiment-feedback", "positive great stuff", user=ANN)
    assert reply.text == NOT_KEPT and reply.ephemeral
    assert harness.repo.feedback == []


async def test_a_reaction_correction_belongs_to_the_texts_author(harness: Harness) -> None:
    command = Command(
        "fake",
        "test",
        "general",
        BOB,  # reacted on the bot's reply to ann's /sentiment
        "sentiment-feedback",
        "negative my manager is great",
        options={"author": ANN.id},
    )
    reply = await harness.bot.on_command(command)
    assert "Thanks" in reply.text
    [fb] = harness.repo.feedback
    assert (fb.user_id, fb.author_id) == (BOB.id, ANN.id)
    await harness.adapter.command("sentiment-optout", user=ANN)  # ann's words go with her
    assert harness.repo.feedback == []


async def test_a_correction_of_ones_last_message_is_ones_own(harness: Harness) -> None:
    await harness.adapter.say("this is bad", user=ANN)
    await harness.settle()
    await harness.adapter.command("sentiment-feedback", "positive", user=ANN)
    [fb] = harness.repo.feedback
    assert (fb.user_id, fb.author_id, fb.text) == (ANN.id, ANN.id, "this is bad")
    reply = await harness.adapter.command("sentiment-optout", user=ANN)
    assert "corrections" in reply.text and harness.repo.feedback == []
