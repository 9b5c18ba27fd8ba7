"""Calls cost money: a rate limit, a budget of calls, and retries with backoff for what may pass.

Clocks and sleeping are passed in, so tests run the backoff and the limit without waiting.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from providers.adapters import Provider
from providers.errors import ProviderError


class OutOfBudget(ProviderError):
    """Today's call budget is spent: the run stops; the rest waits for tomorrow's budget."""

    stops_run = True


class RateLimiter:
    """At most `per_second` calls in any one second: a sliding window, the way providers count,
    so a pause (a batch being written) is not lost time and no second ever holds more."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.size = max(1, int(per_second))  # calls per window …
        self.window = self.size / per_second  # … of this many seconds (1 unless under one a second)
        self.clock, self.sleep = clock, sleep
        self._times: deque[float] = deque(maxlen=self.size)

    def wait(self) -> None:
        if len(self._times) == self.size:
            free_at = self._times[0] + self.window
            now = self.clock()
            if now < free_at:
                self.sleep(free_at - now)
        self._times.append(self.clock())  # the oldest drops out


@dataclass
class Budget:
    """Calls this run may still spend (reserved from the day's budget by the caller)."""

    left: int
    spent: int = 0

    def take(self, provider: str) -> None:
        if self.left <= 0:
            raise OutOfBudget(provider, "budget")
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
        attempt = 1
        while True:
            self.budget.take(self.name)
            self.limiter.wait()
            try:
                return self.provider.fetch(interface, keyword)
            except ProviderError as exc:
                if not exc.retry or attempt >= self.attempts:
                    raise
            self.sleep(self.backoff * 2 ** (attempt - 1))
            attempt += 1
