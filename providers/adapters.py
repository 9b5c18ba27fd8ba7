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

from providers.errors import BadKey, Malformed, NoBalance, Refused, Transient
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
_QCC_BAD_KEY = {"101": "the key is invalid or not active yet", "103": "the key is suspended",
                "107": "this IP address is not allowed", "111": "the key has no access to this interface"}
_QCC_NO_BALANCE = {"102": "the account is in arrears", "112": "the account has no calls left"}
_QCC_TRANSIENT = {"199": "the provider's system failed", "110": "too many failed queries in a row"}


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
            raise Refused(self.name, f"no such interface: {interface}; check the mapping file")
        if not isinstance(doc, dict) or "Status" not in doc:
            raise Malformed(self.name, "the answer has no 'Status'")
        status = str(doc["Status"])
        message = str(doc.get("Message") or "")[:100]
        if status == "200":
            return doc.get("Result")
        if status == "201":
            return None
        if status in _QCC_BAD_KEY:
            raise BadKey(self.name, f"Status {status}: {_QCC_BAD_KEY[status]}; check the key and secret")
        if status in _QCC_NO_BALANCE:
            raise NoBalance(self.name, f"Status {status}: {_QCC_NO_BALANCE[status]}; top it up with 企查查")
        if status in _QCC_TRANSIENT:
            raise Transient(self.name, f"Status {status}: {_QCC_TRANSIENT[status]}")
        raise Refused(self.name, f"Status {status} for {interface}: {message or 'no message'}")


_TYC_NO_RECORD = 300000
_TYC_BAD_KEY = {300002: "the token is no longer valid", 300003: "the token has expired",
                300005: "the token has no access to this interface", 300009: "the account details are wrong",
                300011: "this IP address may not use this interface"}
_TYC_NO_BALANCE = {300006: "the account has no balance left", 300007: "the account has no calls left"}
_TYC_TRANSIENT = {300001: "the query failed on the provider's side", 300004: "queries came too fast"}


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
            raise Refused(self.name, f"no such interface: {path}; check the mapping file")
        if not isinstance(doc, dict) or "error_code" not in doc:
            raise Malformed(self.name, "the answer has no 'error_code'")
        code = doc["error_code"]
        reason = str(doc.get("reason") or "")[:100]
        if code == 0:
            return doc.get("result")
        if code == _TYC_NO_RECORD:
            return None
        if code in _TYC_BAD_KEY:
            raise BadKey(self.name, f"error_code {code}: {_TYC_BAD_KEY[code]}; check the token")
        if code in _TYC_NO_BALANCE:
            raise NoBalance(self.name, f"error_code {code}: {_TYC_NO_BALANCE[code]}; top it up with 天眼查")
        if code in _TYC_TRANSIENT:
            raise Transient(self.name, f"error_code {code}: {_TYC_TRANSIENT[code]}")
        raise Refused(self.name, f"error_code {code} for {interface}: {reason or 'no reason given'}")


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
            raise Malformed(self.name, f"the answer has no '{self.result_field}'")
        return doc[self.result_field]
