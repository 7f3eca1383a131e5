"""The language gate: short English chat passes, clear foreign text is named."""

from __future__ import annotations

import pytest

from model.language import LanguageFilter

ENGLISH_CHAT = [
    "ok thanks",
    "lol nice",
    "great job team",
    "meh",
    "gg wp",
    "why introduce rachel for instance",  # looks like Nigerian Pidgin to the detector
    "the deploy failed again",
    "sounds good see you tomorrow",
    "nice",
    "pizza",
    "this is fine",
    "great great great",
]


@pytest.fixture(scope="module")
def gate() -> LanguageFilter:
    return LanguageFilter(["en"])


@pytest.mark.parametrize("text", ENGLISH_CHAT)
def test_short_english_chat_is_not_foreign(gate: LanguageFilter, text: str) -> None:
    assert gate.foreign_language(text) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("bonjour à tous je suis très content de ce nouveau film", "fr"),
        ("je ne comprends pas pourquoi ça ne marche pas", "fr"),
        ("das ist wirklich ein schlechter film ich bin enttäuscht", "de"),
        ("warum funktioniert das nicht", "de"),
        ("el servicio fue terrible y la comida también", "es"),
        ("この映画は本当に最高でした", "ja"),
        ("映画は最高", "ja"),  # kana among Han characters: Japanese
        ("这部电影很好", "zh"),
        ("정말 좋아요", "ko"),
        ("это очень плохой фильм", "ru"),
    ],
)
def test_foreign_text_is_named(gate: LanguageFilter, text: str, language: str) -> None:
    assert gate.foreign_language(text) == language


def test_configured_languages_and_no_filter() -> None:
    text = "bonjour à tous je suis très content de ce nouveau film"
    assert LanguageFilter(["en", "fr"]).foreign_language(text) is None
    assert LanguageFilter(["EN", " Ja "]).foreign_language("映画は最高") is None
    everything = LanguageFilter([])
    assert not everything.enabled and everything.foreign_language("这部电影很好") is None


def test_too_short_or_letterless_text_is_not_judged(gate: LanguageFilter) -> None:
    assert gate.foreign_language("danke") is None  # under min_letters
    assert gate.foreign_language("123 456 !!!") is None
    assert gate.foreign_language("") is None


def test_a_known_word_count_stands_in_for_the_vocabulary() -> None:
    gate = LanguageFilter(["en"])
    text = "merci beaucoup pour votre aide"  # French, unless the model knows its words
    vocabulary = set(text.split())
    assert gate.foreign_language(text) == "fr"
    assert gate.foreign_language(text, vocabulary) is None
    assert gate.foreign_language(text, known_count=5) is None  # as a model server reports it
    assert gate.foreign_language(text, known_count=3) == "fr"  # under KNOWN_SHARE
