"""Chat text normalisation, the same at training and at serving.

``ChatNormalize`` is a Keras layer placed first in every end-to-end model, so the saved
``.keras`` file carries it (and its emoji table) and serving cannot drift from training.
It lower-cases, drops markup that is not words (HTML line breaks, code blocks, URLs, Slack and
Discord mentions, channel links and custom emoji), maps emoji and emoticons to words the IMDB
vocabulary knows, and keeps only letters, digits and single spaces. Keeping nothing but
letters and digits also removes U+0085 (NEL), U+2028 and friends, which would otherwise split
a vocabulary line when ``TextVectorization`` saves its vocabulary and break loading.

``prepare`` is the Python-side guard used before text reaches TensorFlow: it repairs invalid
surrogates, drops control characters and caps the length.
"""

from __future__ import annotations

import re
import unicodedata

import emoji
import keras
import tensorflow as tf

# Emoji sentiment table: emoji (by CLDR name, resolved with the ``emoji`` package) mapped to a
# word whose polarity the IMDB-trained model already knows. Polarity follows the Emoji
# Sentiment Ranking (Kralj Novak et al., 2015) for the emoji it covers.
EMOJI_WORDS: dict[str, tuple[str, ...]] = {
    "great": (
        ":grinning_face:",
        ":grinning_face_with_big_eyes:",
        ":grinning_face_with_smiling_eyes:",
        ":beaming_face_with_smiling_eyes:",
        ":smiling_face_with_smiling_eyes:",
        ":slightly_smiling_face:",
        ":grinning_squinting_face:",
        ":smiling_face:",
        ":thumbs_up:",
        ":OK_hand:",
        ":clapping_hands:",
        ":party_popper:",
        ":star-struck:",
        ":hundred_points:",
        ":raising_hands:",
        ":trophy:",
        ":sparkles:",
        ":check_mark_button:",
        ":face_with_tears_of_joy:",
        ":rolling_on_the_floor_laughing:",
        ":smiling_face_with_halo:",
        ":grinning_face_with_sweat:",
        ":winking_face:",
        ":sun_with_face:",
        ":glowing_star:",
        ":flexed_biceps:",
        ":rocket:",
        ":confetti_ball:",
        ":smiling_face_with_sunglasses:",
    ),
    "love": (
        ":red_heart:",
        ":smiling_face_with_heart-eyes:",
        ":face_blowing_a_kiss:",
        ":smiling_face_with_hearts:",
        ":orange_heart:",
        ":yellow_heart:",
        ":green_heart:",
        ":blue_heart:",
        ":purple_heart:",
        ":two_hearts:",
        ":sparkling_heart:",
        ":growing_heart:",
        ":heart_with_ribbon:",
        ":revolving_hearts:",
        ":smiling_face_with_open_hands:",
    ),
    "awful": (
        ":enraged_face:",
        ":angry_face:",
        ":face_with_symbols_on_mouth:",
        ":thumbs_down:",
        ":pile_of_poo:",
        ":nauseated_face:",
        ":face_vomiting:",
        ":broken_heart:",
        ":angry_face_with_horns:",
        ":middle_finger:",
        ":skull:",
        ":cross_mark:",
    ),
    "disappointing": (
        ":crying_face:",
        ":loudly_crying_face:",
        ":disappointed_face:",
        ":pensive_face:",
        ":worried_face:",
        ":frowning_face:",
        ":slightly_frowning_face:",
        ":confounded_face:",
        ":persevering_face:",
        ":weary_face:",
        ":tired_face:",
        ":unamused_face:",
        ":face_with_rolling_eyes:",
        ":anguished_face:",
        ":fearful_face:",
        ":face_screaming_in_fear:",
        ":downcast_face_with_sweat:",
        ":sad_but_relieved_face:",
        ":face_with_steam_from_nose:",
    ),
}

# Emoticons (matched case-sensitively, standing alone between spaces) mapped the same way.
EMOTICON_WORDS: dict[str, tuple[str, ...]] = {
    "great": (":)", ":-)", ":D", ":-D", "=)", ";)", ";-)", "xD", "XD", ":P", ":-P", "(:", "^_^"),
    "love": ("<3",),
    "awful": (">:(", ">:-(", "D:"),
    "disappointing": (":(", ":-(", ":'(", ":/", ":-/", "):", "</3", "-_-"),
}

MAX_CHARS_DEFAULT = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_WORD_OR_SPACE = r"[^\p{L}\p{N}]+"


def _emoji_pattern(names: tuple[str, ...]) -> str:
    chars = []
    for name in names:
        glyph = emoji.emojize(name)
        if glyph == name:
            raise ValueError(f"unknown emoji name in the sentiment table: {name}")
        chars.append(re.escape(glyph.replace("\ufe0f", "")))
    return "(?:" + "|".join(sorted(chars, key=len, reverse=True)) + ")\ufe0f?"


def _emoticon_pattern(faces: tuple[str, ...]) -> str:
    alternatives = "|".join(re.escape(face) for face in sorted(faces, key=len, reverse=True))
    return rf"(^|\s)(?:{alternatives})(\s|$)"


@keras.saving.register_keras_serializable(package="sentibot")
class ChatNormalize(keras.layers.Layer):
    """Normalise raw chat or review strings into space-separated lower-case words.

    Parameters
    ----------
    emoji_words, emoticon_words
        Tables mapping a replacement word to the emoji names / emoticons it stands for.
        Stored in the layer config, so a saved model keeps the table it was trained with.
    """

    def __init__(
        self,
        emoji_words: dict[str, list[str]] | None = None,
        emoticon_words: dict[str, list[str]] | None = None,
        **kwargs: object,
    ) -> None:
        kwargs.setdefault("trainable", False)
        kwargs.setdefault("dtype", "string")
        super().__init__(**kwargs)
        self.emoji_words = {k: list(v) for k, v in (emoji_words or EMOJI_WORDS).items()}
        self.emoticon_words = {k: list(v) for k, v in (emoticon_words or EMOTICON_WORDS).items()}
        self._emoticons = [
            (_emoticon_pattern(tuple(faces)), rf"\1 {word} \2")
            for word, faces in self.emoticon_words.items()
        ]
        self._emoji = [
            (_emoji_pattern(tuple(names)), f" {word} ") for word, names in self.emoji_words.items()
        ]

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        text = tf.strings.regex_replace(inputs, r"(?i)<br\s*/?>", " ")
        text = tf.strings.regex_replace(text, r"(?s)```.*?```", " ")  # code blocks
        text = tf.strings.regex_replace(text, r"`[^`\n]*`", " ")  # inline code
        text = tf.strings.regex_replace(text, r"<[@#!][^>\s]*>", " ")  # Slack/Discord mentions
        text = tf.strings.regex_replace(text, r"<a?:\w+:\d+>", " ")  # Discord custom emoji
        text = tf.strings.regex_replace(text, r"<(?:https?|mailto):[^>\s]*>", " ")  # Slack links
        text = tf.strings.regex_replace(text, r"(?i)\b(?:https?://|www\.)\S+", " ")  # URLs
        text = tf.strings.regex_replace(text, "&amp;", "&")
        text = tf.strings.regex_replace(text, "&lt;", "<")
        text = tf.strings.regex_replace(text, "&gt;", ">")
        for pattern, rewrite in self._emoticons:  # twice: neighbours share a space
            text = tf.strings.regex_replace(text, pattern, rewrite)
            text = tf.strings.regex_replace(text, pattern, rewrite)
        for pattern, rewrite in self._emoji:
            text = tf.strings.regex_replace(text, pattern, rewrite)
        text = tf.strings.lower(text, encoding="utf-8")
        text = tf.strings.regex_replace(text, r"(\p{L})['\x{2019}](\p{L})", r"\1\2")  # don't
        text = tf.strings.regex_replace(text, _WORD_OR_SPACE, " ")
        return tf.strings.strip(text)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return input_shape

    def get_config(self) -> dict[str, object]:
        config = super().get_config()
        config.update(emoji_words=self.emoji_words, emoticon_words=self.emoticon_words)
        return config


def prepare(text: str, max_chars: int = MAX_CHARS_DEFAULT) -> tuple[str, bool]:
    """Make arbitrary input safe to hand to TensorFlow.

    Invalid surrogates become U+FFFD, control characters (including NEL and the Unicode line
    and paragraph separators) become spaces, text is NFC-normalised and capped at
    ``max_chars`` characters.

    Returns
    -------
    tuple of (str, bool)
        The prepared text and whether it was truncated.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if text.isascii():  # no surrogates, already NFC: only length and control characters
        truncated = len(text) > max_chars
        safe = text[:max_chars] if truncated else text
        return (safe if safe.isprintable() else _CONTROL.sub(" ", safe)), truncated
    safe = text.encode("utf-8", "replace").decode("utf-8")
    truncated = len(safe) > max_chars
    if truncated:
        safe = safe[:max_chars]
    safe = _CONTROL.sub(" ", unicodedata.normalize("NFC", safe))
    return safe, truncated


def normalize(texts: list[str]) -> list[str]:
    """Apply ``ChatNormalize`` eagerly to Python strings (for data preparation and tests)."""
    out = ChatNormalize()(tf.constant([prepare(t, 10**9)[0] for t in texts]))
    return [value.decode("utf-8") for value in out.numpy().tolist()]
