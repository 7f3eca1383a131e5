"""Copy hand-written chat training files into ``benchmarks/data``, minus held-out lookalikes.

The written sets (``teamchat_written.tsv``, ``devchat_written.tsv``; issue 16) were written
without reading the held-out sets. This keeps them unseen all the same, with the rule of
``benchmarks/make_teamchat.py``: a row whose words equal a message of ``teamchat_eval.tsv``,
``workchat_polar.tsv`` or ``devchat_dev.tsv``, or (three words or more) are contained in one, is
dropped, as is a repeated row. (One or two words, "thanks" or "ugh", are in many messages by
chance.) ``tests/model/test_chat_hygiene.py`` checks the result.

Usage: ``python benchmarks/filter_written_chat.py OUT.tsv IN.tsv [IN.tsv ...]``
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
HELD_OUT = (
    DATA / "teamchat_eval.tsv",
    DATA / "workchat_polar.tsv",
    DATA.parents[1] / ".." / "shared" / "data" / "chat" / "devchat_dev.tsv",
)
LABELS = ("negative", "neutral", "positive")


def key(text: str) -> str:
    """A text's lower-case words and digits, single-spaced (what two texts are compared on)."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def read_rows(path: Path) -> list[tuple[str, str]]:
    """``(text, label)`` rows of a chat TSV in either layout; comments and blanks skipped."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if fields[0] in LABELS:
            rows.append((fields[1], fields[0]))
        else:
            rows.append(("\t".join(fields[:-1]), fields[-1].strip()))
    return rows


def held_out_keys(paths: tuple[Path, ...] = HELD_OUT) -> list[str]:
    """The keys of every held-out message (files that do not exist are skipped)."""
    return [key(text) for path in paths if path.is_file() for text, _ in read_rows(path)]


def is_held_out(text: str, held: list[str]) -> bool:
    """Whether ``text`` equals a held-out message, or (3+ words) is contained in one.

    A text with no words at all counts as held out (there is nothing to learn from it).
    """
    k = key(text)
    if not k:
        return True
    if k.count(" ") < 2:
        return k in held
    return any(k == h or f" {k} " in f" {h} " for h in held)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("inputs", type=Path, nargs="+")
    args = parser.parse_args()
    held = held_out_keys()
    header, kept, seen, dropped = [], [], set(), 0
    for path in args.inputs:
        first = path.read_text(encoding="utf-8").splitlines()[:3]
        header.extend(line for line in first if line.startswith("#"))
        for text, label in read_rows(path):
            if label not in LABELS:
                raise SystemExit(f"{path}: bad label {label!r}")
            if key(text) in seen or is_held_out(text, held):
                dropped += 1
                continue
            seen.add(key(text))
            kept.append(f"{text}\t{label}")
    args.output.write_text("\n".join([*dict.fromkeys(header), *kept]) + "\n", encoding="utf-8")
    counts = {label: sum(row.endswith("\t" + label) for row in kept) for label in LABELS}
    print(f"wrote {len(kept)} rows to {args.output} ({dropped} dropped): {counts}")


if __name__ == "__main__":
    main()
