"""Rebuild ``benchmarks/data/imdb_test_sentences.tsv`` from the IMDB test reviews.

Usage: ``python benchmarks/make_shorttext.py [--archive PATH] [--per-label N]``
"""

from __future__ import annotations

import argparse
import logging

from bot.config import load_settings
from model.imdb_archive import fetch, unpack
from model.shorttext import DATA_DIR, SETS, build_review_sentences, write_tsv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default=None)
    parser.add_argument("--archive", default=None, help="override [data] archive")
    parser.add_argument("--per-label", type=int, default=500)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    data = load_settings(args.config).data
    root, _ = unpack(fetch(args.archive or data.archive, data.cache_dir), data.cache_dir)
    split = build_review_sentences(root, per_label=args.per_label)
    path = DATA_DIR / SETS["review_sentences"]
    write_tsv(split, path)
    negatives, positives = split.counts()
    print(f"wrote {len(split)} sentences ({positives} positive, {negatives} negative) to {path}")


if __name__ == "__main__":
    main()
