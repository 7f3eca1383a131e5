"""Which messages are in a language the model knows.

The model was trained on English reviews; a message in another language would get a confident
but meaningless score, so it is left unscored with the reason ``"language:xx"``.

Short chat is hard to classify ("lol nice" looks Slovak to a character n-gram model), so a
text is only called foreign when:

- most of its letters are in a script the configured languages do not use (Japanese kana,
  Hangul, Han, Cyrillic, Arabic...), which is unambiguous; or
- it is Latin-script, few of its words are common English / chat words (under half of a
  short text, under a third of a longer one), under ``KNOWN_SHARE`` of its words are in the
  English model's vocabulary (when the caller passes it), it has at least ``min_letters``
  letters, and py3langid (offline, character n-grams) names another language with
  probability ``>= min_confidence``. The detector is the slow part, so it runs last.

Thresholds were tuned on 2,983 English texts (IMDB test sentences and hand-written chat): none
was called foreign, while 28 of 30 short foreign chat messages in 10 languages were.

Anything else counts as one of the configured languages.
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model.config import ScoringConfig

logger = logging.getLogger(__name__)

# Frequent English function words plus chat words; a Latin-script message made mostly of these
# is English without asking the detector (and fast).
_ENGLISH_WORDS_TEXT = """
    a about after again all also am an and any are as at awesome back bad be because been
    before being best better big bit both but by can cant cool could day did didnt do does
    doesnt dont done down each even ever every everyone fine first for from fun get gets going
    good got great guys had has have he hello her here hey hi him his how i if im in into is
    isnt it its just know last like little lol lot love made make many maybe me meh more most
    much must my need never new nice no not nothing now of off oh ok okay on one only or other
    our out over please pretty really right said same see she should so some something still
    such sure team than thank thanks that thats the their them then there these they thing
    think this those though thx time to too two up us very want was way we well were what when
    where which who why will with wont work would wow yay yeah yes yet you your youre yup
    awful terrible horrible hate sad sucks wtf omg haha hahaha lmao rofl ty np idk imo btw
    brb gg wp nope great job works worked working broken bug fixed
    able absolutely actually again against almost already always amazing another anyone
    anything around away beautiful believe boring bought call came cannot check completely
    day days definitely disappointed disappointing does doing during easy else end enjoy
    enjoyed enough especially everything excellent excited fantastic far feel felt few find
    found funny gave give go goes gone guy happy hard having help highly his i'll ive just
    keep kind least left let lets life look looked looking loved man may mean might minutes
    monday morning movie movies much my myself new next night old once own people perfect
    perhaps probably put quite rather read recommend seem seemed seen several should show
    since sorry start stupid stuff take taken tell thanks thought through today together
    tomorrow took totally tried truly try trying until use used waste watch watched watching
    week weekend went whole without wonderful worse worst worth wrong years yesterday"""
ENGLISH_WORDS = frozenset(_ENGLISH_WORDS_TEXT.split())

# Scripts that settle the language on their own (when most letters use them).
_SCRIPT_LANGUAGE = {"HIRAGANA": "ja", "KATAKANA": "ja", "HANGUL": "ko", "CJK": "zh"}
# Detector labels that mean "one of these" or "not a language" for our purpose: Nigerian Pidgin
# is English-lexified and is what short, informal English chat most often looks like to it.
_ALIASES = {"pcm": "en"}
_NO_LANGUAGE = "zxx"


_BEYOND_LATIN = "\u0250"  # below this: ASCII, Latin-1 and Latin Extended-A/B
_DETECT_CHARS = 200  # the detector reads this much; enough to tell a language
# Share of a text's words that must be in the English model's vocabulary to skip the detector:
# no more than half of the words of short foreign chat (10 languages) are in the IMDB vocabulary.
KNOWN_SHARE = 0.75


def _looks_english(words: list[str]) -> bool:
    """Mostly common English words: half of a short text, a third of a longer one."""
    hits = sum(map(ENGLISH_WORDS.__contains__, words))
    return hits * 2 >= len(words) if len(words) < 6 else hits * 3 >= len(words)


def _mostly_known(words: list[str], known_words: Collection[str]) -> bool:
    """At least ``KNOWN_SHARE`` of ``words`` are in ``known_words``."""
    return sum(map(known_words.__contains__, words)) >= KNOWN_SHARE * len(words)


@functools.cache
def _identifier():  # noqa: ANN202  (py3langid has no type hints)
    """py3langid's identifier, loaded once per process and only read afterwards."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


class LanguageFilter:
    """Decide whether a text is in one of the configured languages.

    Parameters
    ----------
    languages
        ISO 639-1 codes the model handles (``["en"]``); empty accepts everything.
    min_confidence
        Detector probability needed to call a Latin-script text foreign.
    min_letters
        Latin-script texts with fewer letters are never called foreign.
    """

    def __init__(
        self,
        languages: Iterable[str] = ("en",),
        *,
        min_confidence: float = 0.7,
        min_letters: int = 8,
    ) -> None:
        self.languages = frozenset(code.strip().lower() for code in languages)
        self.min_confidence = min_confidence
        self.min_letters = min_letters

    @classmethod
    def from_config(cls, scoring: ScoringConfig) -> LanguageFilter:
        """The filter ``[scoring]`` asks for: ``languages``, ``language_min_confidence`` and
        ``language_min_letters``."""
        return cls(
            scoring.languages,
            min_confidence=scoring.language_min_confidence,
            min_letters=scoring.language_min_letters,
        )

    @property
    def enabled(self) -> bool:
        """False when every language is accepted."""
        return bool(self.languages)

    def warm_up(self) -> None:
        """Load the detector now (about a second) rather than on the first foreign-looking text."""
        if self.languages:
            _identifier()

    def detect(self, text: str) -> tuple[str, float]:
        """Return py3langid's ``(language, probability)`` for ``text``."""
        language, confidence = _identifier().classify(text)
        return str(language), float(confidence)

    def foreign_language(
        self,
        text: str,
        known_words: Collection[str] | None = None,
        *,
        known_count: int | None = None,
    ) -> str | None:
        """The code of the language of ``text`` when it is not a configured one, else ``None``.

        ``text`` should already be normalised (``model.text.ChatNormalize`` output: words only).
        ``known_words`` is the vocabulary of the English model that will score the text: a
        Latin-script text with at least ``KNOWN_SHARE`` of its words in it is English, without
        asking the detector. ``known_count`` (how many of the words are in it, as a model server
        reports) stands in for ``known_words`` when the vocabulary is not at hand.
        """
        if not self.languages:
            return None
        words = text.lower().split()
        if not words:
            return None
        if not text.isascii() and max(text) >= _BEYOND_LATIN:  # count scripts
            letters = [c for word in words for c in word]
            latin = sum(1 for c in letters if c < _BEYOND_LATIN or _script(c) == "LATIN")
            if latin * 2 < len(letters):
                return self._other_script(text, letters)
        if "en" in self.languages and (
            _looks_english(words)
            or (known_words and _mostly_known(words, known_words))
            or (known_count is not None and known_count >= KNOWN_SHARE * len(words))
        ):
            return None
        if sum(map(len, words)) < self.min_letters or not any(map(str.isalpha, text)):
            return None
        language, confidence = self.detect(text[:_DETECT_CHARS])
        language = _ALIASES.get(language, language)
        if confidence < self.min_confidence or language in self.languages:
            return None
        return None if language == _NO_LANGUAGE else language

    def _other_script(self, text: str, letters: list[str]) -> str | None:
        counts: dict[str, int] = {}
        for char in letters:
            script = _script(char)
            counts[script] = counts.get(script, 0) + 1
        if counts.get("HIRAGANA", 0) + counts.get("KATAKANA", 0):
            language = "ja"  # kana anywhere means Japanese, even among Han characters
        else:
            script = max(counts, key=counts.__getitem__)
            language = _SCRIPT_LANGUAGE.get(script) or self.detect(text)[0]
        language = _ALIASES.get(language, language)
        return None if language in self.languages or language == _NO_LANGUAGE else language

    def foreign_languages(
        self, texts: Sequence[str], known_words: Collection[str] | None = None
    ) -> list[str | None]:
        """``foreign_language`` for each text."""
        return [self.foreign_language(text, known_words) for text in texts]
