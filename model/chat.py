"""Labelled chat messages (three classes) from tab-separated files.

Two layouts are read, one message a line, UTF-8, no quoting:

- ``label<TAB>text[<TAB>source]``: the developer-chat sets in ``../shared/data/chat``
  (``devchat_train.tsv``, ``devchat_dev.tsv``; see their README for sources and licences);
- ``text<TAB>label``: sentibot's own sets in ``benchmarks/data`` (``teamchat_*.tsv``,
  ``workchat_polar.tsv``), where ``#`` lines are comments.

``label`` is ``negative``, ``neutral`` or ``positive``; the result is a three-class ``Split``
(0 = negative, 1 = neutral, 2 = positive).
"""

from __future__ import annotations

from pathlib import Path

from model.splits import CLASS_NAMES, DataError, Split, concat, make_split

LABELS = {name: index for index, name in enumerate(CLASS_NAMES[3])}


def read_chat_tsv(path: Path | str) -> Split:
    """Read one chat TSV file (either layout) as a three-class split.

    Raises
    ------
    DataError
        When the file is missing or a line has no known label.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"chat data not found: {path} (see [data] chat_train)")
    texts: list[str] = []
    labels: list[int] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if fields[0] in LABELS and len(fields) >= 2:
            label, text = fields[0], fields[1]
        elif fields[-1].strip() in LABELS and len(fields) >= 2:
            label, text = fields[-1].strip(), "\t".join(fields[:-1])
        else:
            raise DataError(f"{path}:{number}: expected 'label<TAB>text' or 'text<TAB>label'")
        if text.strip():
            texts.append(text)
            labels.append(LABELS[label])
    return make_split(texts, labels, classes=3)


def load_chat(paths: list[str] | tuple[str, ...]) -> Split:
    """Read and concatenate several chat files (an empty list gives an empty split)."""
    return concat(*(read_chat_tsv(p) for p in paths)) if paths else make_split([], [], 3)


# Recorded in every model's metadata (``credits``) and in the README, as the licences ask.
CREDITS = [
    "Large Movie Review Dataset (IMDB): Maas, A. L., Daly, R. E., Pham, P. T., Huang, D., "
    "Ng, A. Y., Potts, C. (2011) Learning Word Vectors for Sentiment Analysis. ACL 2011.",
    "VADER lexicon (vaderSentiment, MIT): Hutto, C. J., Gilbert, E. (2014) VADER: A "
    "Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text. ICWSM 2014.",
    "devchat senti4sd_so: Senti4SD gold standard (collab-uniba/Senti4SD, MIT; texts are Stack "
    "Overflow user content under CC BY-SA): Calefato, F., Lanubile, F., Maiorano, F., Novielli, "
    "N. (2018) Sentiment Polarity Detection for Software Development. Empirical Software "
    "Engineering 23(3), 1352-1382, doi:10.1007/s10664-017-9546-9.",
    "devchat premo_pr: PRemo (opus-research/sentiment-dataset, MIT, Copyright (c) 2025 Daniel "
    "Coutinho), doi:10.5281/zenodo.15810713; Coutinho, D. et al. (2024) 'Looks Good To Me ;-)': "
    "Assessing Sentiment Analysis Tools for Pull Request Discussions. EASE 2024, 211-221.",
    "teamchat: sentibot's own hand-written team, community and developer chat messages "
    "(benchmarks/data: teamchat_train, teamchat_written, devchat_written; MIT).",
]
