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
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.make_teamchat import contained, key  # noqa: E402  (the rule shared with it)
from model.chat import read_chat_tsv  # noqa: E402
from model.splits import CLASS_NAMES  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
HELD_OUT = (
    DATA / "teamchat_eval.tsv",
    DATA / "workchat_polar.tsv",
    DATA.parents[1] / ".." / "shared" / "data" / "chat" / "devchat_dev.tsv",
)
LABELS = CLASS_NAMES[3]  # negative, neutral, positive


def read_rows(path: Path) -> list[tuple[str, str]]:
    """``(text, label)`` rows of a chat TSV in either layout (``model.chat.read_chat_tsv``)."""
    split = read_chat_tsv(path)
    codes = split.labels.tolist()
    return [(text, LABELS[code]) for text, code in zip(split.texts, codes, strict=True)]


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
    return contained(k, held)


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
        for text, label in read_rows(path):  # a line with no known label: DataError
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
