"""What can go wrong asking a provider, by what the caller should do about it.

Each error carries a `key` and `params`: the command line says it in the user's language from
`messages/templates/<locale>/sync.j2` (macro `error_<key>`); `str()` is the English line for
logs. Neither ever holds a key or token.
"""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, str] = {
    "timeout": "no answer within {seconds} s",
    "unreachable": "cannot reach the server ({reason})",
    "broken": "the connection broke ({reason})",
    "http_server": "the server answered HTTP {status}; retried",
    "http_bad_key": "HTTP {status}: the key or token was refused; check the source's secrets",
    "http_no_balance": "HTTP 402: the account has no balance left; top it up with the provider",
    "http_refused": "the server answered HTTP {status}",
    "not_json": "the answer (HTTP {status}, {size} bytes) is not JSON",
    "no_field": "the answer has no '{field}'",
    "no_interface": "no such interface: {interface}; check the mapping file",
    "code_bad_key": "{label} {code}: {what}; check the source's secrets (key and secret, or token)",
    "code_no_balance": "{label} {code}: {what}; top it up with the provider",
    "code_transient": "{label} {code}: {what}",
    "code_refused": "{label} {code} for {interface}: {message}",
    "budget": "today's call budget is spent; the remaining customers are synced tomorrow",
    "not_list": "{indicator}: '{records}' of {interface} is not a list of records; check the mapping file",
    "not_object": "{indicator}: record {n} of {interface} is not an object",
    "not_number": "{indicator}: {field} is not a number ({got})",
    "not_number_in_record": "{indicator}: {field} of record {n} is not a number ({got})",
    "not_date": "{indicator}: {field} of record {n} is not a date ({got})",
}
# What a provider's status code means (the `what` of the code_* texts).
WHAT: dict[str, str] = {
    "key_invalid": "the key is invalid or not active yet", "key_suspended": "the key is suspended",
    "ip_refused": "this IP address is not allowed", "no_access": "the key has no access to this interface",
    "arrears": "the account is in arrears", "no_calls": "the account has no calls left",
    "system_failed": "the provider's system failed", "too_many_failures": "too many failed queries in a row",
    "token_invalid": "the token is no longer valid", "token_expired": "the token has expired",
    "account_wrong": "the account details are wrong", "no_balance": "the account has no balance left",
    "query_failed": "the query failed on the provider's side", "too_fast": "queries came too fast",
}


class ProviderError(Exception):
    """A query that gave no usable answer. Subclasses say whether retrying or going on can help."""

    retry = False  # a later attempt of the same query may succeed (5xx, timeout)
    stops_run = False  # every further query to this provider fails too (bad key, no balance)

    def __init__(self, provider: str, key: str, **params: Any) -> None:
        self.provider, self.key, self.params = provider, key, params
        english = {**params, "what": WHAT.get(str(params.get("what")), params.get("what"))}
        super().__init__(f"{provider}: {TEXTS[key].format(**english)}")


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
