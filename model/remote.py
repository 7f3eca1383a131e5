"""Score through a model server (TF Serving, or ``sentibot serve``) instead of in process.

``RemoteScorer`` has the surface of ``model.service.Scorer`` (``version``, ``score_many``,
``probabilities``, ``swap``) and the same rules for empty text, text with no words, other
languages, truncation and the neutral band: both run ``model.rules.score_texts``. Only
``probabilities`` differs: it posts ``{"instances": [...]}`` to
``{serving_url}/v1/models/{name}:predict`` and reads the outputs of the signature written by
``model.export`` (and answered by ``sentibot serve``): ``probability`` (already calibrated),
``classes`` (a three-class model's label), ``words`` (the normalised text, for the no-words rule
and the language gate), ``known`` (how many of those words the model knows, for the gate) and
``model_version``. Nothing is recomputed here, and nothing here imports TensorFlow: a bot that
scores through a model server pays for TensorFlow nowhere.

The HTTP session retries connection errors and 502/503/504 answers with back-off (predict
is idempotent); after that, ``RemoteScoringError`` says in one line what went wrong.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from model.config import ScoringConfig
from model.language import LanguageFilter
from model.normalised import Normalised
from model.rules import score_texts
from model.types import Score

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "sentiment"
UNKNOWN_VERSION = "remote-unknown"


class RemoteScoringError(Exception):
    """The serving endpoint could not score a batch, described in one line."""


def _session(retries: int) -> requests.Session:
    retry = Retry(
        total=retries,
        backoff_factor=0.2,
        status_forcelist=(502, 503, 504),
        allowed_methods=None,  # POST too: predict has no side effects
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


class RemoteScorer:
    """A ``Scorer`` whose model runs in TensorFlow Serving.

    Parameters
    ----------
    serving_url
        ``[model] serving_url``, e.g. ``http://tf-serving:8501``.
    scoring
        Neutral band, ``max_chars`` and accepted languages (applied here, as in ``Scorer``).
    model_name
        The TF Serving model name (``--model_name``).
    timeout_s
        Per-request timeout.
    retries
        Retries of a failed connection or a 502/503/504 answer.
    """

    _warned_known = False  # said once that the server does not report ``known``

    def __init__(
        self,
        serving_url: str,
        scoring: ScoringConfig | None = None,
        *,
        model_name: str = DEFAULT_MODEL_NAME,
        timeout_s: float = 10.0,
        retries: int = 3,
    ) -> None:
        base = serving_url.rstrip("/")
        self.scoring = scoring or ScoringConfig()
        self.languages = LanguageFilter.from_config(self.scoring)
        self.status_url = f"{base}/v1/models/{model_name}"
        self.predict_url = f"{self.status_url}:predict"
        self.timeout_s = timeout_s
        self._session = _session(retries)
        self._lock = threading.Lock()
        self._version = UNKNOWN_VERSION

    @property
    def version(self) -> str:
        """The version reported with the last answer (``remote-unknown`` before the first)."""
        with self._lock:
            return self._version

    def connect(self) -> str:
        """Score one text to check the endpoint and learn the model version.

        Raises
        ------
        RemoteScoringError
            When the endpoint is unreachable or answers with an error.
        """
        self._predict(["hello"])
        logger.info("scoring through %s (model %s)", self.predict_url, self.version)
        return self.version

    def ping(self) -> None:
        """Raise ``RemoteScoringError`` unless TF Serving reports a version ``AVAILABLE``."""
        try:
            response = self._session.get(self.status_url, timeout=self.timeout_s)
            response.raise_for_status()
            states = [v.get("state") for v in response.json().get("model_version_status", [])]
        except (requests.RequestException, ValueError) as exc:
            raise RemoteScoringError(
                f"model server {self.status_url}: {_first_line(exc)}"
            ) from None
        if "AVAILABLE" not in states:
            raise RemoteScoringError(f"model server {self.status_url}: no version available")

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        """Score a batch of raw texts: the rules of ``model.rules.score_texts``, one request.

        Raises
        ------
        TypeError
            When an item is not a ``str`` (naming its position).
        RemoteScoringError
            When the model server cannot score the batch.
        """
        return score_texts(self, texts)

    def swap(self, artifact: object) -> None:
        """Nothing to load here: the model server decides what serves.

        ``sentibot serve`` follows the database's active version by itself (a promotion or
        ``sentibot models activate``); TF Serving serves the newest version exported into its
        model base path (``sentibot export``). This asks the server which version answers now,
        so ``version`` is current; a server that is down is only logged.
        """
        wanted = getattr(artifact, "version", None)
        try:
            self._predict(["hello"])
        except RemoteScoringError as exc:
            logger.warning("model server not asked for its version: %s", exc)
            return
        if wanted is not None and wanted != self.version:
            logger.info(
                "model %s is active; the model server still answers with %s (sentibot serve "
                "switches within its sync interval; TF Serving needs 'sentibot export')",
                wanted, self.version,
            )  # fmt: skip

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, list[str], str]:
        """Calibrated probabilities of prepared texts from the endpoint (one request).

        Returns
        -------
        tuple
            ``(probabilities, normalised texts, model version)``, as ``Scorer.probabilities``.
        """
        if not texts:
            return np.zeros(0, np.float32), [], self.version
        return self._predict(list(texts))

    def _predict(self, texts: list[str]) -> tuple[np.ndarray, list[str], str]:
        try:
            response = self._session.post(
                self.predict_url, json={"instances": texts}, timeout=self.timeout_s
            )
            body = response.json()
        except requests.RequestException as exc:
            raise RemoteScoringError(
                f"model server {self.predict_url}: {_first_line(exc)}"
            ) from None
        except ValueError:
            raise RemoteScoringError(
                f"model server {self.predict_url} answered {response.status_code} without JSON"
            ) from None
        if response.status_code != 200 or "error" in body:
            error = body.get("error", "no error message") if isinstance(body, dict) else body
            raise RemoteScoringError(
                f"model server {self.predict_url} answered {response.status_code}: {error}"
            )
        return self._parse(body, len(texts))

    def _parse(self, body: Any, expected: int) -> tuple[np.ndarray, list[str], str]:
        rows = body.get("predictions") if isinstance(body, dict) else None
        if not isinstance(rows, list) or len(rows) != expected:
            raise RemoteScoringError(
                f"model server {self.predict_url}: expected {expected} predictions, got "
                f"{len(rows) if isinstance(rows, list) else 'none'}"
            )
        try:
            probs = np.array([float(row["probability"]) for row in rows], np.float32)
            words = Normalised(str(row["words"]) for row in rows)
            if "classes" in rows[0]:  # a three-class model: labels from its classes
                words.classes = np.array([int(row["classes"]) for row in rows], np.int64)
            if "known" in rows[0]:  # words the model knows, for the language gate
                words.known_counts = np.array([int(row["known"]) for row in rows], np.int64)
            version = str(rows[0]["model_version"])
        except (KeyError, TypeError, ValueError):
            raise RemoteScoringError(
                f"model server {self.predict_url}: predictions lack probability/words/"
                "model_version; export the model with 'sentibot export'"
            ) from None
        if words.known_counts is None and not self._warned_known:
            self._warned_known = True
            logger.warning(
                "the served model does not report 'known' (an older export): the language "
                "gate asks its detector more often than in process; re-export the model"
            )
        with self._lock:
            if version != self._version:
                logger.info("remote model version: %s -> %s", self._version, version)
            self._version = version
        return probs, words, version

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
