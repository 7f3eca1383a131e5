"""The per-user sliding-window rate limit."""

from __future__ import annotations

import pytest

from bot.core.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limit_per_key_and_window_slides() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    assert limiter.allow("a") and limiter.allow("a")
    assert not limiter.allow("a")
    assert limiter.allow("b")  # other users are not affected
    assert limiter.retry_after("a") == pytest.approx(60.0)
    clock.now += 30
    assert not limiter.allow("a")
    assert limiter.retry_after("a") == pytest.approx(30.0)
    clock.now += 30
    assert limiter.allow("a")  # the first two left the window
    assert limiter.retry_after("b") == 0.0


def test_refused_attempts_do_not_extend_the_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(1, clock=clock)
    assert limiter.allow("a")
    for _ in range(10):
        clock.now += 5
        assert not limiter.allow("a")
    clock.now += 10
    assert limiter.allow("a")


def test_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(1, clock=clock, max_keys=100)
    for i in range(1000):
        limiter.allow(i)
    assert len(limiter._events) <= 100
    assert not limiter.allow(999)  # recent keys are kept


def test_rejects_nonsense_limit() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
