"""The ``archive`` data source: Stanford's ``aclImdb_v1.tar.gz``, from a URL or a local path.

The archive is downloaded (URLs only) into ``[data] cache_dir``, unpacked there once (a marker
file named after the archive's SHA-256 records a complete unpack) and checked: 25,000 training
and 25,000 test reviews with both labels. Only ``train/{pos,neg}`` and ``test/{pos,neg}`` are
extracted; the 50,000 unlabelled reviews are skipped.
"""

from __future__ import annotations

import logging
import shutil
import tarfile
import urllib.request
import zlib
from pathlib import Path

from model.checksum import file_sha256
from model.splits import DataError, Reviews, Split, make_split

logger = logging.getLogger(__name__)

EXPECTED_PER_SPLIT = 25_000
_WANTED = tuple(
    f"aclImdb/{split}/{label}/" for split in ("train", "test") for label in ("pos", "neg")
)


def fetch(archive: str, cache_dir: Path) -> Path:
    """Return a local path to the archive, downloading it into ``cache_dir`` if it is a URL."""
    if archive.startswith(("http://", "https://")):
        target = cache_dir / archive.rstrip("/").rsplit("/", 1)[-1]
        if not target.is_file():
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            logger.info("downloading %s to %s", archive, target)
            try:
                with (
                    urllib.request.urlopen(archive, timeout=60) as response,
                    partial.open("wb") as out,
                ):
                    shutil.copyfileobj(response, out)
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise DataError(
                    f"cannot download the IMDB archive from {archive}: {exc}; set [data] archive "
                    "(or SENTIBOT_DATA__ARCHIVE) to a local aclImdb_v1.tar.gz"
                ) from None
            partial.replace(target)
        return target
    path = Path(archive).expanduser()
    if not path.is_file():
        raise DataError(
            f"IMDB archive not found: {path}; set [data] archive (or SENTIBOT_DATA__ARCHIVE) to "
            "the path or URL of aclImdb_v1.tar.gz"
        )
    return path


def unpack(archive: Path, cache_dir: Path) -> tuple[Path, str]:
    """Unpack the labelled reviews once; return the ``aclImdb`` folder and the archive SHA-256."""
    digest = file_sha256(archive)
    target = cache_dir / f"aclImdb-{digest[:16]}"
    marker = target / ".complete"
    if marker.is_file():
        return target / "aclImdb", digest
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    logger.info("unpacking %s into %s", archive, target)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = [m for m in tar if m.isfile() and m.name.startswith(_WANTED)]
            tar.extractall(target, members=members, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise DataError(f"IMDB archive {archive} is damaged ({exc}); download it again") from None
    marker.write_text(digest + "\n", encoding="utf-8")
    return target / "aclImdb", digest


def read_split(root: Path, split: str) -> Split:
    """Read ``root/<split>/{pos,neg}/*.txt`` in a stable order."""
    texts: list[str] = []
    labels: list[int] = []
    for label, value in (("neg", 0), ("pos", 1)):
        for path in sorted((root / split / label).glob("*.txt")):
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
            labels.append(value)
    return make_split(texts, labels)


def check(split: Split, name: str, expected: int, archive: Path) -> None:
    """Raise ``DataError`` unless ``split`` has ``expected`` reviews and both labels."""
    negatives, positives = split.counts()
    if len(split) != expected or not negatives or not positives:
        raise DataError(
            f"IMDB archive {archive} is incomplete: {name} has {len(split)} reviews "
            f"({positives} positive, {negatives} negative), expected {expected} with both labels"
        )


def load_archive(
    archive: str, cache_dir: Path | str, expected: int = EXPECTED_PER_SPLIT
) -> Reviews:
    """Load the train and test splits from the archive (path or URL).

    Parameters
    ----------
    archive
        Local path or ``http(s)`` URL of ``aclImdb_v1.tar.gz``.
    cache_dir
        Where downloads and the unpacked reviews are kept.
    expected
        Reviews expected in each split (25,000 for the real archive).

    Raises
    ------
    DataError
        Missing, undownloadable, damaged or incomplete archive.
    """
    cache = Path(cache_dir).expanduser()
    local = fetch(archive, cache)
    root, digest = unpack(local, cache)
    train, test = read_split(root, "train"), read_split(root, "test")
    check(train, "train", expected, local)
    check(test, "test", expected, local)
    source = {"source": "archive", "archive": archive, "sha256": digest}
    return Reviews(train=train, test=test, source=source)
