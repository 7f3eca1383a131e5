"""The writer survives bad items and says when it stops; ids are checked at the boundary."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest

from storage.errors import InvalidId
from storage.ids import check_id, check_key, loggable
from storage.types import MessageKey
from storage.writer import MessageWriter
from tests.fakes.storage import FakeRepository
from tests.storage.factories import message

BAD_IDS = {
    "lone surrogate": "12\ud800",
    "nul": "1\x002",
    "too long": "9" * 129,
}


def writer_for(repo: FakeRepository, **kwargs: object) -> MessageWriter:
    options: dict = {"batch_size": 50, "flush_interval_ms": 10, "retry_max_s": 0.05}
    options.update(kwargs)
    return MessageWriter(repo, **options)


@pytest.mark.parametrize("bad", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_check_id_refuses_clearly(bad: str) -> None:
    with pytest.raises(InvalidId, match="message_id") as info:
        check_key(MessageKey("slack", "C1", bad))
    assert "\x00" not in str(info.value) and "\ud800" not in str(info.value)
    assert len(str(info.value)) < 200


def test_check_id_types_and_empties() -> None:
    with pytest.raises(InvalidId, match="must be a string"):
        check_id("channel", 123)
    with pytest.raises(InvalidId, match="is empty"):
        check_id("channel", "")
    check_id("workspace", "", empty=True)
    assert loggable("C123") == "C123"
    assert loggable("a\nb") == "'a\\nb'"
    assert loggable("x" * 100).endswith("...(100 chars)")


async def test_bad_items_are_logged_counted_and_the_rest_flows(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "storage")
    repo = FakeRepository()
    writer = writer_for(repo)
    await writer.start()
    secret = "my secret words"
    accepted = []
    for i in range(30):
        accepted.append(writer.submit(message(i, text=secret)))
        if i % 10 == 5:
            bad = list(BAD_IDS.values())[i // 10]
            assert writer.submit(message(bad, text=secret)) is False
            assert writer.delete(MessageKey("slack", bad, "1")) is False
            assert writer.submit(dataclasses.replace(message(f"b{i}"), author_id=bad)) is False
    writer.delete(MessageKey("slack", "C1", "3"))
    await writer.flush()
    assert writer.alive and writer.failure is None
    assert all(accepted) and writer.rejected == 9
    assert sorted(int(k.message_id) for k in repo.messages) == [i for i in range(30) if i != 3]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in logged and "\x00" not in logged and "\ud800" not in logged
    assert "9" * 129 not in logged and "(129 chars)" in logged
    await writer.close()
    assert not writer.alive


class FailingDeletes(FakeRepository):
    """A database that refuses one delete for its data (not an outage)."""

    def delete_message(self, key, deleted_at=None):  # noqa: ANN001, ANN201
        if key.message_id == "poison":
            raise ValueError("value too long for type character varying(128)")
        return super().delete_message(key, deleted_at)


async def test_a_delete_the_database_refuses_does_not_stop_the_writer() -> None:
    repo = FailingDeletes()
    writer = writer_for(repo)
    await writer.start()
    writer.delete(MessageKey("slack", "C1", "poison"))
    writer.submit(message(1))
    await writer.flush()
    await asyncio.sleep(0.05)
    writer.submit(message(2))
    await writer.flush()
    assert writer.alive and writer.rejected == 1
    assert len(repo.messages) == 2
    await writer.close()


async def test_a_crashed_writer_is_visible(caplog: pytest.LogCaptureFixture) -> None:
    writer = writer_for(FakeRepository())

    async def broken(until: int) -> None:
        raise RuntimeError("bug")

    writer._drain = broken  # type: ignore[method-assign]
    await writer.start()
    assert writer.alive
    receipt = writer.submit_durable(message(1))
    for _ in range(100):
        if not writer.alive:
            break
        await asyncio.sleep(0.01)
    assert not writer.alive and isinstance(writer.failure, RuntimeError)
    assert (await receipt) == "refused"
    assert any(r.levelno == logging.CRITICAL for r in caplog.records)
