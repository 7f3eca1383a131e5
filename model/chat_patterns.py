"""The regular expressions of chat normalisation, as RE2 patterns (no TensorFlow).

``model.text.ChatNormalize`` runs them with ``tf.strings.regex_replace`` (RE2); the
TensorFlow-free runtime (``model.numpy_runtime.chat``) translates the same strings for Python's
``re``. Keeping them here, in one place, means the two cannot drift apart.
"""

from __future__ import annotations

import html
import re

import emoji

# Markup that is not words, in one pass: HTML line breaks, code blocks, inline code, Slack and
# Discord mentions and channel links, Discord custom emoji, Slack links, bare URLs.
MARKUP = "|".join(
    (
        r"(?i:<br\s*/?>)",
        r"(?s:```.*?```)",
        r"`[^`\n]*`",
        r"<[@#!][^>\s]*>",
        r"<a?:\w+:\d+>",
        r"<(?:https?|mailto):[^>\s]*>",
        r"(?i:\b(?:https?://|www\.)\S+)",
    )
)
APOSTROPHES = r"['\x{2019}]+"  # don't -> dont, 80's -> 80s
# Everything but letters and digits, and the HTML entities Slack escapes ``& < >`` into.
_NOT_WORD = r"(?:&(?:amp|lt|gt);|[^\p{L}\p{N}])"
NOT_WORDS = _NOT_WORD + "+"
# The same runs, less those that are one plain space, which NOT_WORDS would replace by itself.
# Rewriting with it gives the same text, but RE2 stops once per run of punctuation instead of
# once per word: a third of ChatNormalize's time on chat (issue 16). The TensorFlow-free
# runtime keeps NOT_WORDS (Python's ``re`` has no ``\p{..}``; ``numpy_runtime.chat``).
NOT_WORDS_BUT_A_SPACE = _NOT_WORD + r"*(?:&(?:amp|lt|gt);|[^\p{L}\p{N} ]|  )" + _NOT_WORD + "*"


def emoji_glyphs(names: tuple[str, ...]) -> list[str]:
    """The emoji called ``names`` (``:smile:``), without variation selectors."""
    glyphs = []
    for name in names:
        glyph = emoji.emojize(name)
        if glyph == name:
            raise ValueError(f"unknown emoji name in the sentiment table: {name}")
        glyphs.append(glyph.replace("\ufe0f", ""))
    return glyphs


def emoticon_forms(faces: tuple[str, ...]) -> set[str]:
    """The faces as typed and as HTML-escaped (as Slack sends ``<3``)."""
    return {form for face in faces for form in (face, html.escape(face, quote=False))}


def _emoji_pattern(names: tuple[str, ...]) -> str:
    chars = [re.escape(glyph) for glyph in emoji_glyphs(names)]
    return "(?:" + "|".join(sorted(chars, key=len, reverse=True)) + ")\ufe0f?"


def _emoticon_pattern(faces: tuple[str, ...]) -> str:
    """Free-standing faces, as typed or HTML-escaped; a run of them counts once."""
    forms = emoticon_forms(faces)
    face = "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")"
    return rf"(^|\s){face}(?:\s+{face})*(\s|$)"


def word_pattern(emoticons: tuple[str, ...], emoji_names: tuple[str, ...]) -> str:
    """One pattern for the emoticons and emoji that stand for one word."""
    parts = ([_emoticon_pattern(emoticons)] if emoticons else []) + (
        [_emoji_pattern(emoji_names)] if emoji_names else []
    )
    return "|".join(parts)


def word_passes(
    emoji_words: dict[str, list[str]], emoticon_words: dict[str, list[str]]
) -> list[tuple[str, str]]:
    """``(pattern, rewrite)`` per replacement word, in the order ``ChatNormalize`` runs them.

    Unmatched groups rewrite to nothing, so emoji need no boundary.
    """
    return [
        (
            word_pattern(tuple(emoticon_words.get(word, ())), tuple(emoji_words.get(word, ()))),
            rf"\1 {word} \2",
        )
        for word in sorted(set(emoji_words) | set(emoticon_words))
    ]
