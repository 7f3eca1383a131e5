"""``sentibot score`` and ``sentibot explain`` on a saved tiny model."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli.main import main


@pytest.fixture(autouse=True)
def _no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # defaults, not the repository's config.toml


def test_score_arguments(tiny_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--model", str(tiny_dir), "what a great day", "   "]) == 0
    great, empty = capsys.readouterr().out.splitlines()
    value, label, text = great.split("\t")
    assert 0.65 < float(value) <= 1 and len(value.split(".")[1]) == 3
    assert (label, text) == ("positive", "what a great day")
    assert empty.split("\t")[:2] == ["-", "unscored (empty)"]


def test_score_stdin_json(
    tiny_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = "the food was terrible\n\nこの映画は本当に最高でした\n" + "great 👍\n" * 300
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["score", "--json", "--model", str(tiny_dir)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 303  # batched by [scoring] batch_size, nothing lost
    assert records[0]["label"] == "negative" and 0 <= records[0]["score"] < 0.35
    assert "reason" not in records[0]
    assert records[1] == {"text": "", "score": None, "label": "unscored", "reason": "empty"}
    assert records[2]["reason"] == "language:ja" and records[2]["score"] is None
    assert records[-1]["text"] == "great 👍" and records[-1]["label"] == "positive"


def test_missing_and_corrupt_model_exit_2(
    tmp_path: Path, tiny_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", "--model", str(tmp_path / "none"), "hi"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sentibot: ") and "not found" in err and "\n" not in err
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    for name in ("sentiment.keras", "metadata.json"):
        (corrupt / name).write_bytes((tiny_dir / name).read_bytes()[:100])
    assert main(["explain", "--model", str(corrupt), "hi"]) == 2
    err = capsys.readouterr().err.strip()
    assert "corrupt" in err and "\n" not in err


def test_explain_prints_signed_words(tiny_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ["the", "food", "was", "great", "but", "the", "service", "was", "terrible"]
    assert main(["explain", "--model", str(tiny_dir), *text]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("score ") and "0 negative .. 1 positive" in lines[0]
    assert lines[1].startswith("words that moved it")  # the numbers are labelled (#15)
    words = dict(reversed(line.split()) for line in lines[2:])
    assert words["great"].startswith("+") and words["terrible"].startswith("-")
    assert main(["explain", "--json", "--top", "2", "--model", str(tiny_dir), *text]) == 0
    record = json.loads(capsys.readouterr().out)
    assert len(record["words"]) == 2 and record["label"] in {"negative", "neutral", "positive"}
