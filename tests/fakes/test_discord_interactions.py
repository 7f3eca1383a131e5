"""The Discord fake's interaction rules themselves (``tests.fakes.discord_interactions``).

The protocol tests trust these rules to be Discord's; each is checked here on its own.
"""

from __future__ import annotations

import pytest

from tests.fakes.discord_interactions import EPHEMERAL, THINKING, InteractionRecord, Rejected


def record() -> InteractionRecord:
    return InteractionRecord(1, "token", "sentiment", created=100.0)


def test_a_callback_after_the_deadline_is_unknown_and_the_interaction_failed() -> None:
    late = record()
    with pytest.raises(Rejected) as refused:
        late.callback(103.5, 4, 0, "too late")
    assert refused.value.status == 404 and refused.value.body["code"] == 10062
    assert late.failed and late.answered and late.seen_by_channel() == []
    expired = record()
    expired.expire()  # the deadline timer fired first
    with pytest.raises(Rejected):
        expired.callback(100.1, 4, 0, "x")


def test_one_callback_per_interaction() -> None:
    answered = record()
    answered.callback(101.0, 4, 0, "hi")
    with pytest.raises(Rejected) as refused:
        answered.callback(101.1, 5, 0, None)
    assert refused.value.status == 400 and refused.value.body["code"] == 40060
    assert answered.calls == ["callback:4"] and answered.rejected == [("callback:5", 400)]


def test_a_follow_up_needs_a_callback_first() -> None:
    early = record()
    with pytest.raises(Rejected) as refused:
        early.followup(0, "x", [])
    assert refused.value.status == 404


def test_the_first_follow_up_after_a_defer_keeps_the_defers_visibility() -> None:
    public = record()
    public.callback(101.0, 5, 0, None)
    assert public.seen_by_channel() == [THINKING] and not public.answered
    public.followup(EPHEMERAL, "meant to be private", [])
    public.followup(EPHEMERAL, "second part", [])
    assert public.seen_by_channel() == ["meant to be private"]  # the placeholder, edited
    assert public.seen_by_caller_only() == ["second part"] and public.answered

    private = record()
    private.callback(101.0, 5, EPHEMERAL, None)
    private.followup(0, "meant to be public", [])
    assert private.seen_by_channel() == [] and private.seen_by_caller_only() == [
        "meant to be public"
    ]


def test_deleting_the_original_first_lets_the_follow_up_choose() -> None:
    deferred = record()
    deferred.callback(101.0, 5, 0, None)
    deferred.delete("@original")
    deferred.followup(EPHEMERAL, "only for you", [])
    assert deferred.seen_by_channel() == [] and deferred.seen_by_caller_only() == ["only for you"]
    with pytest.raises(Rejected):
        deferred.find("@original")  # gone for good
    assert deferred.calls == ["callback:5", "delete-original", "followup"]


def test_editing_the_original_answers_a_deferral() -> None:
    deferred = record()
    deferred.callback(101.0, 5, 0, None)
    deferred.edit("@original", "done")
    assert deferred.answered and deferred.seen_by_channel() == ["done"]
