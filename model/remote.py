"""Score through a TensorFlow Serving REST endpoint instead of in process.

``RemoteScorer`` has the surface of ``model.service.Scorer`` (``version``, ``score_many``,
``swap``) and the same rules for empty text, text with no words, other languages, truncation
and the neutral band: its ``score_many`` *is* ``Scorer.score_many``, which only needs
``scoring``, ``languages`` and ``probabilities()``. Only ``probabilities`` differs: it posts
``{"instances": [...]}`` to ``{serving_url}/v1/models/{name}:predict`` and reads the outputs of
the signature written by ``model.export`` (``probability`` already calibrated, ``words``,
``model_version``).

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
from model.service import Scorer
from model.serving_graph import Normalised

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

    score_many = Scorer.score_many  # the same pre- and post-processing as in process

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

    def swap(self, artifact: object) -> None:
        """Refused: a served model is updated by exporting a new version to TF Serving."""
        raise RemoteScoringError(
            "the model is served by TF Serving: run 'sentibot export' into its model base path"
        )

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
            version = str(rows[0]["model_version"])
        except (KeyError, TypeError, ValueError):
            raise RemoteScoringError(
                f"model server {self.predict_url}: predictions lack probability/words/"
                "model_version; export the model with 'sentibot export'"
            ) from None
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
