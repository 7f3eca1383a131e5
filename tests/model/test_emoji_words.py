"""The emoji / emoticon sentiment table in ``model.text`` maps to words the model knows."""

from __future__ import annotations

import pytest

from model.text import EMOJI_WORDS, EMOTICON_WORDS, normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("😀", "great"),
        ("🙂", "great"),
        ("❤️", "love"),
        ("❤", "love"),  # without the variation selector
        ("👍", "great"),
        ("👍🏽", "great"),  # with a skin tone
        ("🎉", "great"),
        ("😡", "awful"),
        ("👎", "awful"),
        ("😢", "disappointing"),
        (":)", "great"),
        (":D", "great"),
        (":(", "disappointing"),
        ("<3", "love"),
        ("great 👍", "great great"),
        ("great 😡", "great awful"),
        ("meh :) :(", "meh great disappointing"),
        ("thanks!👍👍", "thanks great great"),
        ("thanks :) :) :)", "thanks great"),  # a run of one face counts once
        ("&lt;3 it", "love it"),  # Slack escapes < > & in message text
        ("&gt;:( no", "awful no"),
        ("salt &amp; pepper", "salt pepper"),
        ("the 80's, don't", "the 80s dont"),
    ],
)
def test_emoji_and_emoticons_become_words(text: str, expected: str) -> None:
    assert normalize([text])[0] == expected


def test_emoticons_only_standing_alone() -> None:
    # "http://x" or "a:b" must not turn into words; only free-standing faces do.
    assert normalize(["ratio 3:2 (approx)"])[0] == "ratio 3 2 approx"


def test_every_word_in_the_tables_is_distinct_polarity() -> None:
    positive, negative = {"great", "love"}, {"awful", "disappointing"}
    assert set(EMOJI_WORDS) == set(EMOTICON_WORDS) == positive | negative
