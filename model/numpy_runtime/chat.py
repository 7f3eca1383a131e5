"""``ChatNormalize`` in Python: the same RE2 patterns (``model.chat_patterns``), run by ``re``.

RE2, as ``tf.strings.regex_replace`` uses it, differs from Python's ``re`` in a few classes;
``to_python`` rewrites exactly those: ``\\s``, ``\\S``, ``\\w``, ``\\d`` and ``\\b`` are ASCII in
RE2 (Unicode in ``re``), ``$`` is the end of the text (``re``'s also matches before a final
newline), ``\\x{HHHH}`` is spelt ``\\uHHHH``, and ``[^\\p{L}\\p{N}]`` (not a letter or digit)
is ``[\\W_]`` (plus the letters of Unicode 15 that RE2 knows and Python 3.11 does not).
Lower-casing is Python's full Unicode mapping, as ICU's in ``tf.strings.lower``, less the case
pairs added in Unicode 14 that TensorFlow's ICU lacks.
The equivalence tests (``tests/model/test_numpy_runtime.py``) compare the result with the
TensorFlow layer on every code point and on the benchmark sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from model.chat_patterns import (
    APOSTROPHES,
    MARKUP,
    NOT_WORDS,
    emoji_glyphs,
    emoticon_forms,
    word_passes,
)

_ASCII_WORD = "0-9A-Za-z_"
_W = f"[{_ASCII_WORD}]"
_RE2_SPACE = r"\t\n\f\r "
_RE2_SPACE_SPLIT = re.compile(f"[{_RE2_SPACE}]")
# Outside a character class / inside one.
_OUTSIDE = {
    "s": f"[{_RE2_SPACE}]",
    "S": f"[^{_RE2_SPACE}]",
    "w": f"(?-i:[{_ASCII_WORD}])",
    "d": "[0-9]",
    "b": f"(?-i:(?:(?<={_W})(?!{_W})|(?<!{_W})(?={_W})))",
}
_INSIDE = {"s": _RE2_SPACE, "d": "0-9"}
_NOT_LETTER_OR_DIGIT = r"[^\p{L}\p{N}]"
# Letters and digits of Unicode 15 that TensorFlow's RE2 knows and Python 3.11's ``re`` (Unicode
# 14) does not yet: Kawi, CJK extension H, Nag Mundari, Cyrillic modifier letters and others.
_RE2_NEWER_LETTERS = (
    "\U0001123f-\U00011240\U00011f02\U00011f04-\U00011f10\U00011f12-\U00011f33"
    "\U00011f50-\U00011f59\U0001342f\U00013441-\U00013446\U0001b132\U0001b155"
    "\U0001d2c0-\U0001d2d3\U0001df25-\U0001df2a\U0001e030-\U0001e06d\U0001e4d0-\U0001e4eb"
    "\U0001e4f0-\U0001e4f9\U0002b739\U00031350-\U000323af"
)
# Capital letters whose lower case is new in Unicode 14: TensorFlow's ICU leaves them as they are.
_ICU_UNCASED = re.compile(
    "([\u2c2f\ua7c0\ua7d0\ua7d6\ua7d8\U00010570-\U0001057a\U0001057c-\U0001058a"
    "\U0001058c-\U00010592\U00010594\U00010595])"
)


class UnsupportedPattern(ValueError):
    """An RE2 construct ``to_python`` does not translate."""


def to_python(pattern: str) -> str:
    """Translate an RE2 pattern of ``model.chat_patterns`` into Python ``re`` syntax.

    Raises
    ------
    UnsupportedPattern
        For an escape or class this translation does not know (the caller falls back to
        TensorFlow rather than guess).
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if not in_class and pattern.startswith(_NOT_LETTER_OR_DIGIT, i):
            out.append(f"(?:[^\\w{_RE2_NEWER_LETTERS}]|_)")  # \\w: alphanumerics and _
            i += len(_NOT_LETTER_OR_DIGIT)
            continue
        if char == "\\":
            nxt = pattern[i + 1]
            if nxt == "x" and pattern[i + 2 : i + 3] == "{":
                end = pattern.index("}", i)
                out.append(f"\\U{int(pattern[i + 3 : end], 16):08x}")
                i = end + 1
                continue
            if nxt == "p" or nxt == "P":
                raise UnsupportedPattern(f"Unicode class in {pattern!r}")
            table = _INSIDE if in_class else _OUTSIDE
            if nxt in table:
                out.append(table[nxt])
            elif nxt.isalnum() and nxt not in "tnfr" and not nxt.isdigit():
                raise UnsupportedPattern(f"escape \\{nxt} in {pattern!r}")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]" or out[-1] in ("[", "[^")
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
        i += 1
    return "".join(out)


def _sub(pattern: str, rewrite: str) -> Callable[[str], str]:
    compiled = re.compile(to_python(pattern))
    return lambda text: compiled.sub(rewrite, text)


class ChatNormalizer:
    """What ``ChatNormalize(emoji_words, emoticon_words)`` computes, for Python strings.

    Raises
    ------
    UnsupportedPattern
        When a pattern cannot be translated.
    """

    def __init__(
        self, emoji_words: dict[str, list[str]], emoticon_words: dict[str, list[str]]
    ) -> None:
        self._markup = _sub(MARKUP, " ")
        passes = word_passes(emoji_words, emoticon_words)
        self._words = [_sub(pattern, rewrite) for pattern, rewrite in passes]
        # What the passes look for: an emoticon is a whole whitespace-separated token (the
        # pattern wants whitespace or an end on both sides), an emoji starts with one of these
        # characters. A text with neither (most) skips the passes: a pass only changes what it
        # matches, so without a first match no later pass finds anything new.
        self._faces = frozenset(
            form for faces in emoticon_words.values() for form in emoticon_forms(tuple(faces))
        )
        self._emoji_starts = frozenset(
            glyph[0] for names in emoji_words.values() for glyph in emoji_glyphs(tuple(names))
        )
        self._apostrophes = _sub(APOSTROPHES, "")
        self._not_words = _sub(NOT_WORDS, " ")

    def __call__(self, texts: Sequence[str]) -> list[str]:
        """Normalise each text: lower-case words separated by single spaces."""
        return [self.one(text) for text in texts]

    def one(self, text: str) -> str:
        """Normalise one text."""
        text = self._markup(text)
        if self._may_hold_words(text):
            for replace in self._words:
                text = replace(text)
        return self._not_words(self._apostrophes(lower(text))).strip(" ")

    def _may_hold_words(self, text: str) -> bool:
        if not text.isascii() and not self._emoji_starts.isdisjoint(text):
            return True
        return not self._faces.isdisjoint(_RE2_SPACE_SPLIT.split(text))


def lower(text: str) -> str:
    """``tf.strings.lower(text, encoding="utf-8")``: Python's full case mapping, as ICU's, less
    the case pairs ICU does not know yet (``_ICU_UNCASED``)."""
    if text.isascii() or _ICU_UNCASED.search(text) is None:
        return text.lower()
    parts = _ICU_UNCASED.split(text)  # odd positions: the characters to keep
    return "".join(part if i % 2 else part.lower() for i, part in enumerate(parts))
