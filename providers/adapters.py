"""The shipped providers: 企查查 and 天眼查 open APIs, and plain JSON over HTTP.

`fetch(interface, keyword)` gives the result document, `None` when the provider has no record
for the keyword (checked: none), or raises a `ProviderError` of the kind the answer means.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from providers.errors import BadKey, Malformed, NoBalance, ProviderError, Refused, Transient
from providers.http import Transport, get_json, urllib_get


class Provider(Protocol):
    name: str

    def fetch(self, interface: str, keyword: str) -> Any: ...


@dataclass(frozen=True)
class Secret:
    """A key or token: shown as *** by repr and str, so no message or log can carry it."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "***"


def _url(base: str, interface: str, params: Mapping[str, str]) -> str:
    return f"{base.rstrip('/')}/{quote(interface.strip('/'), safe='/')}?{urlencode(params)}"


# 企查查 Status codes beyond "200" (ok) and "201" (查询无结果).
@dataclass(frozen=True)
class _Codes:
    """A provider's answer codes by what they mean: a bad key or refused account (never
    retried), no balance (stops the source), worth trying again (retried with backoff)."""

    label: str  # the field that carries the code: Status, error_code
    bad_key: Mapping[Any, str]
    no_balance: Mapping[Any, str]
    transient: Mapping[Any, str]

    def fail(self, name: str, code: Any, interface: str, message: str) -> ProviderError:
        """The error an answer with `code` (not ok, not no-record) is."""
        for table, kind, key in ((self.bad_key, BadKey, "code_bad_key"), (self.no_balance, NoBalance, "code_no_balance"),
                                 (self.transient, Transient, "code_transient")):
            if code in table:
                return kind(name, key, label=self.label, code=code, what=table[code])
        return Refused(name, "code_refused", label=self.label, code=code, interface=interface, message=message or "-")


_QCC_BAD_KEY = {"101": "key_invalid", "103": "key_suspended", "107": "ip_refused", "111": "no_access"}
_QCC_NO_BALANCE = {"102": "arrears", "112": "no_calls"}
_QCC_TRANSIENT = {"199": "system_failed", "110": "too_many_failures"}
_QCC = _Codes("Status", _QCC_BAD_KEY, _QCC_NO_BALANCE, _QCC_TRANSIENT)


@dataclass
class Qichacha:
    """企查查: `GET {base}/{interface}?key=&keyword=`, headers Token = MD5(key + Timespan +
    secret) in upper-case hex and Timespan = Unix seconds; answers {"Status", "Message", "Result"}."""

    name: str
    base_url: str
    key: Secret
    secret: Secret
    timeout: float = 10.0
    transport: Transport = urllib_get
    clock: Callable[[], float] = time.time  # wall clock for Timespan; tests pass their own

    def headers(self) -> dict[str, str]:
        timespan = str(int(self.clock()))
        token = hashlib.md5((self.key.value + timespan + self.secret.value).encode(), usedforsecurity=False)
        return {"Token": token.hexdigest().upper(), "Timespan": timespan}

    def fetch(self, interface: str, keyword: str) -> Any:
        url = _url(self.base_url, interface, {"key": self.key.value, "keyword": keyword})
        status, doc = get_json(self.name, self.transport, url, self.headers(), self.timeout)
        if status == 404:
            raise Refused(self.name, "no_interface", interface=interface)
        if not isinstance(doc, dict) or "Status" not in doc:
            raise Malformed(self.name, "no_field", field="Status")
        status = str(doc["Status"])
        message = str(doc.get("Message") or "")[:100]
        if status == "200":
            return doc.get("Result")
        if status == "201":
            return None
        raise _QCC.fail(self.name, status, interface, message)


_TYC_NO_RECORD = 300000
_TYC_BAD_KEY = {300002: "token_invalid", 300003: "token_expired", 300005: "no_access", 300009: "account_wrong",
                300011: "ip_refused"}
_TYC_NO_BALANCE = {300006: "no_balance", 300007: "no_calls"}
_TYC_TRANSIENT = {300001: "query_failed", 300004: "too_fast"}
_TYC = _Codes("error_code", _TYC_BAD_KEY, _TYC_NO_BALANCE, _TYC_TRANSIENT)


@dataclass
class Tianyancha:
    """天眼查: `GET {base}/services/open/…?keyword=` with header Authorization = token; answers
    {"error_code", "reason", "result"}."""

    name: str
    base_url: str
    token: Secret
    timeout: float = 10.0
    transport: Transport = urllib_get

    def fetch(self, interface: str, keyword: str) -> Any:
        path = interface if interface.startswith("services/") else f"services/open/{interface.strip('/')}"
        url = _url(self.base_url, path, {"keyword": keyword})
        status, doc = get_json(self.name, self.transport, url, {"Authorization": self.token.value}, self.timeout)
        if status == 404:
            raise Refused(self.name, "no_interface", interface=path)
        if not isinstance(doc, dict) or "error_code" not in doc:
            raise Malformed(self.name, "no_field", field="error_code")
        code = doc["error_code"]
        reason = str(doc.get("reason") or "")[:100]
        if code == 0:
            return doc.get("result")
        if code == _TYC_NO_RECORD:
            return None
        raise _TYC.fail(self.name, code, interface, reason)


@dataclass
class GenericJson:
    """A company's own credit service: `GET {base}/{interface}?keyword=` with an optional token
    header; HTTP 200 with the result document (or {"result": …}), 404 for no record, 401/403 for
    a bad token, 402 for no balance, 5xx retried."""

    name: str
    base_url: str
    token: Secret | None = None
    auth_header: str = "Authorization"
    result_field: str | None = "result"
    timeout: float = 10.0
    transport: Transport = urllib_get

    def fetch(self, interface: str, keyword: str) -> Any:
        url = _url(self.base_url, interface, {"keyword": keyword})
        headers = {self.auth_header: self.token.value} if self.token is not None else {}
        status, doc = get_json(self.name, self.transport, url, headers, self.timeout)
        if status == 404:
            return None
        if self.result_field is None:
            return doc
        if not isinstance(doc, dict) or self.result_field not in doc:
            raise Malformed(self.name, "no_field", field=self.result_field)
        return doc[self.result_field]
