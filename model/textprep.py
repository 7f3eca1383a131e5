"""The Python-side guard applied to every text before it is scored (no TensorFlow).

``prepare`` repairs invalid surrogates, drops control characters and caps the length, so any
text can be handed to TensorFlow, in process or on a model server. It lives apart from
``model.text`` (the ``ChatNormalize`` layer) so that a bot scoring through a model server
prepares text without importing TensorFlow.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS_DEFAULT = 4000
# Characters ``prepare`` turns into spaces: control characters (not tab or newline), NEL, U+2028-9.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


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
        return (safe if safe.isprintable() else CONTROL_CHARS.sub(" ", safe)), truncated
    safe = text.encode("utf-8", "replace").decode("utf-8")
    truncated = len(safe) > max_chars
    if truncated:
        safe = safe[:max_chars]
    safe = CONTROL_CHARS.sub(" ", unicodedata.normalize("NFC", safe))
    return safe, truncated
