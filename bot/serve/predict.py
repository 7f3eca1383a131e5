"""Reading a predict request of TensorFlow Serving's REST API, refusing anything else clearly.

Accepted, as TF Serving accepts them for a signature with one string input named ``text``:
``{"instances": ["a", "b"]}`` or ``{"instances": [{"text": "a"}, ...]}`` (row format, answered
with ``{"predictions": [...]}``), and ``{"inputs": ["a", "b"]}`` or ``{"inputs": {"text":
[...]}}`` (columnar, answered with ``{"outputs": {...}}``); ``signature_name``, when given, must
be ``serving_default``. Errors name what is wrong, never what was sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

SIGNATURE = "serving_default"
INPUT_NAME = "text"
MAX_INSTANCES = 10_000


class BadRequest(ValueError):
    """The request cannot be scored; the message says why (and quotes nothing of it)."""


@dataclass(frozen=True)
class PredictRequest:
    """The texts to score and whether the answer is columnar (``inputs``) or rows."""

    texts: list[str]
    columnar: bool


def parse_predict(body: bytes) -> PredictRequest:
    """Parse a predict request body.

    Raises
    ------
    BadRequest
        For a body that is not JSON, not UTF-8, or not a predict request of strings.
    """
    try:
        data = json.loads(body)
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the body is not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(data, dict):
        raise BadRequest('the body must be a JSON object with "instances" or "inputs"')
    signature = data.get("signature_name", SIGNATURE)
    if signature != SIGNATURE:
        raise BadRequest(f"unknown signature_name; this model has only {SIGNATURE!r}")
    if ("instances" in data) == ("inputs" in data):
        raise BadRequest('the body must have exactly one of "instances" and "inputs"')
    columnar = "inputs" in data
    texts = _inputs(data["inputs"]) if columnar else _instances(data["instances"])
    if len(texts) > MAX_INSTANCES:
        raise BadRequest(f"at most {MAX_INSTANCES:,} texts per request")
    return PredictRequest(texts, columnar)


def _instances(value: object) -> list[str]:
    if not isinstance(value, list):
        raise BadRequest('"instances" must be a list')
    texts = [item.get(INPUT_NAME) if isinstance(item, dict) else item for item in value]
    return _strings(texts, '"instances" must hold strings or {"text": string} objects')


def _inputs(value: object) -> list[str]:
    if isinstance(value, dict):
        value = value.get(INPUT_NAME)
    if not isinstance(value, list):
        raise BadRequest('"inputs" must be a list of strings or {"text": [strings]}')
    return _strings(value, '"inputs" must hold strings')


def _strings(values: list[object], message: str) -> list[str]:
    strings = [value for value in values if isinstance(value, str)]
    if len(strings) != len(values):
        raise BadRequest(message)
    return strings
