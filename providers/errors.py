"""What can go wrong asking a provider, by what the caller should do about it."""

from __future__ import annotations


class ProviderError(Exception):
    """A query that gave no usable answer. `str()` is one sentence for the operator, never
    holding a key or token. Subclasses say whether retrying or going on can help."""

    retry = False  # a later attempt of the same query may succeed (5xx, timeout)
    stops_run = False  # every further query to this provider fails too (bad key, no balance)

    def __init__(self, provider: str, message: str) -> None:
        self.provider = provider
        super().__init__(f"{provider}: {message}")


class Transient(ProviderError):
    """The provider is busy or away (HTTP 5xx, a timeout, connection refused): retried with backoff."""

    retry = True


class BadKey(ProviderError):
    """The key or token is wrong, expired or lacks the interface: never retried, stops the run."""

    stops_run = True


class NoBalance(ProviderError):
    """The account has no balance or calls left: never retried, stops the run."""

    stops_run = True


class Refused(ProviderError):
    """The provider refused this one query (bad parameter, unknown interface): not retried."""


class Malformed(ProviderError):
    """The answer is not the JSON the provider documents: not retried (the same bytes come back)."""


class Unmapped(ProviderError):
    """The answer is valid JSON but the mapping file cannot read a value from it."""
