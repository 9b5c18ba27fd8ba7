"""Calls cost money: a rate limit, a budget of calls, and retries with backoff for what may pass.

Clocks and sleeping are passed in, so tests run the backoff and the limit without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from providers.adapters import Provider
from providers.errors import ProviderError


class OutOfBudget(ProviderError):
    """Today's call budget is spent: the run stops; the rest waits for tomorrow's budget."""

    stops_run = True


class RateLimiter:
    """At most `per_second` calls a second, evenly spaced (the providers count per second)."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / per_second
        self.clock, self.sleep = clock, sleep
        self._next = float("-inf")

    def wait(self) -> None:
        now = self.clock()
        if now < self._next:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


@dataclass
class Budget:
    """Calls this run may still spend (reserved from the day's budget by the caller)."""

    left: int
    spent: int = 0

    def take(self, provider: str) -> None:
        if self.left <= 0:
            raise OutOfBudget(provider, "today's call budget is spent; the remaining customers are synced tomorrow")
        self.left -= 1
        self.spent += 1


@dataclass
class Paced:
    """A provider behind the rate limit and the budget, retrying transient failures with
    exponential backoff (`backoff`, 2×, 4× … seconds). Every attempt is a call spent."""

    provider: Provider
    limiter: RateLimiter
    budget: Budget
    attempts: int = 3
    backoff: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    @property
    def name(self) -> str:
        return self.provider.name

    def fetch(self, interface: str, keyword: str) -> Any:
        for attempt in range(self.attempts):
            self.budget.take(self.name)
            self.limiter.wait()
            try:
                return self.provider.fetch(interface, keyword)
            except ProviderError as exc:
                if not exc.retry or attempt == self.attempts - 1:
                    raise
            self.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")
