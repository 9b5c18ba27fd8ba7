"""The adapters against the loopback fake: headers as documented, every error class by kind."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator

import pytest

from providers.adapters import GenericJson, Qichacha, Secret, Tianyancha
from providers.errors import BadKey, Malformed, NoBalance, ProviderError, Refused, Transient
from providers.pacing import Budget, OutOfBudget, Paced, RateLimiter
from tests.providers.fake import APPKEY, SECRETKEY, TOKEN, FakeProvider, serving

CODE = "91350100M000100Y43"
NOW = 1_764_806_400  # Unix seconds the 企查查 adapter stamps its queries with


@pytest.fixture
def qcc() -> Iterator[FakeProvider]:
    with serving(FakeProvider("qichacha")) as fake:
        yield fake


def qichacha(fake: FakeProvider, key: str = APPKEY, timeout: float = 5.0) -> Qichacha:
    return Qichacha("qcc", fake.url, Secret(key), Secret(SECRETKEY), timeout=timeout, clock=lambda: NOW + 0.7)


def test_qichacha_signs_with_the_upper_case_md5_of_key_timespan_and_secret(qcc: FakeProvider) -> None:
    qcc.records[("ShiXin/GetList", CODE)] = [{"PublishDate": "2025-01-02"}]
    assert qichacha(qcc).fetch("ShiXin/GetList", CODE) == {"Data": [{"PublishDate": "2025-01-02"}]}
    request = qcc.requests[0]
    assert request.path == "/ShiXin/GetList"
    assert request.params == {"key": APPKEY, "keyword": CODE}
    assert request.headers["Timespan"] == str(NOW)
    assert request.headers["Token"] == hashlib.md5(f"{APPKEY}{NOW}{SECRETKEY}".encode()).hexdigest().upper()


def test_qichacha_no_record_is_an_answer_of_none(qcc: FakeProvider) -> None:
    assert qichacha(qcc).fetch("ShiXin/GetList", CODE) is None


def test_qichacha_bad_key_stops_the_run_and_never_shows_the_key(qcc: FakeProvider) -> None:
    with pytest.raises(BadKey) as caught:
        qichacha(qcc, key="wrong-key-123").fetch("ShiXin/GetList", CODE)
    assert caught.value.stops_run and not caught.value.retry
    assert "Status 101" in str(caught.value) and "wrong-key-123" not in str(caught.value)
    assert SECRETKEY not in str(caught.value)


def test_qichacha_no_balance_stops_the_run(qcc: FakeProvider) -> None:
    qcc.balance = 0
    with pytest.raises(NoBalance, match="Status 112.*top it up"):
        qichacha(qcc).fetch("ShiXin/GetList", CODE)


@pytest.mark.parametrize(("status", "body", "error", "words"), [
    (503, b"<html>busy</html>", Transient, "HTTP 503"),
    (200, b"<html>not json</html>", Malformed, "not JSON"),
    (200, b'{"Result": []}', Malformed, "no 'Status'"),
    (200, '{"Status": "202", "Message": "查询参数错误"}'.encode(), Refused, "Status 202"),
    (401, b"", BadKey, "HTTP 401"),
])
def test_every_failed_answer_is_a_provider_error_of_its_kind(
    qcc: FakeProvider, status: int, body: bytes, error: type[ProviderError], words: str
) -> None:
    qcc.failures.append((status, body))
    with pytest.raises(error, match=words):
        qichacha(qcc).fetch("ShiXin/GetList", CODE)


def test_an_answer_that_does_not_come_in_time_is_transient() -> None:
    with serving(FakeProvider("qichacha", hold=threading.Event())) as fake:
        with pytest.raises(Transient, match="no answer within 0.05 s"):
            qichacha(fake, timeout=0.05).fetch("ShiXin/GetList", CODE)


def test_an_unreachable_server_is_transient() -> None:
    with serving(FakeProvider()) as fake:
        url = fake.url
    with pytest.raises(Transient, match="cannot reach"):
        Qichacha("qcc", url, Secret(APPKEY), Secret(SECRETKEY), timeout=1).fetch("ShiXin/GetList", CODE)


def test_tianyancha_sends_the_token_as_authorization_under_services_open() -> None:
    with serving(FakeProvider("tianyancha")) as fake:
        fake.records[("jr/dishonest/2.0", CODE)] = [{"publishdate": 1735776000000}]
        provider = Tianyancha("tyc", fake.url, Secret(TOKEN))
        assert provider.fetch("jr/dishonest/2.0", CODE) == {"total": 1, "items": [{"publishdate": 1735776000000}]}
        assert provider.fetch("mr/abnormal/2.0", CODE) is None  # error_code 300000: no record
        assert fake.requests[0].path == "/services/open/jr/dishonest/2.0"
        assert fake.requests[0].params == {"keyword": CODE}
        assert fake.requests[0].headers["Authorization"] == TOKEN
        with pytest.raises(BadKey, match="300002"):
            Tianyancha("tyc", fake.url, Secret("stale")).fetch("jr/dishonest/2.0", CODE)
        fake.balance = 0
        with pytest.raises(NoBalance, match="300007"):
            provider.fetch("jr/dishonest/2.0", CODE)


def test_the_generic_provider_reads_its_result_field_and_404_as_no_record() -> None:
    answers = [(200, b'{"result": {"count": 2}}'), (404, b""), (402, b"")]

    def transport(url: str, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
        assert headers == {"X-Api-Key": "own-token"} and url == "https://credit.example.com/dishonest?keyword=" + CODE
        return answers.pop(0)

    own = GenericJson("own", "https://credit.example.com/", Secret("own-token"), "X-Api-Key", transport=transport)
    assert own.fetch("dishonest", CODE) == {"count": 2}
    assert own.fetch("dishonest", CODE) is None
    with pytest.raises(NoBalance):
        own.fetch("dishonest", CODE)


def test_secrets_never_show_in_repr() -> None:
    provider = Qichacha("qcc", "https://api.qichacha.com", Secret(APPKEY), Secret(SECRETKEY))
    assert APPKEY not in repr(provider) and SECRETKEY not in repr(provider) and str(Secret(APPKEY)) == "***"


# ---------------------------------------------------------------- pacing


class Clock:
    """A monotonic clock that only sleeping moves."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


class Scripted:
    name = "scripted"

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def fetch(self, interface: str, keyword: str) -> object:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def paced(provider: Scripted, clock: Clock, left: int = 100, per_second: float = 4) -> Paced:
    return Paced(provider, RateLimiter(per_second, clock, clock.sleep), Budget(left), attempts=3, backoff=1.0,
                 sleep=clock.sleep)


def test_no_second_holds_more_calls_than_the_rate_limit() -> None:
    clock = Clock()
    calls = paced(Scripted(*[{}] * 9), clock)
    at = []
    for _ in range(9):
        calls.fetch("x", CODE)
        at.append(clock.now)
    assert at == [100.0] * 4 + [101.0] * 4 + [102.0]  # 4 a second, a burst at each second's start
    assert all(sum(1 for t in at if start <= t < start + 1) <= 4 for start in at)


def test_a_limit_under_one_a_second_spaces_each_call() -> None:
    clock = Clock()
    calls = paced(Scripted({}, {}, {}), clock, per_second=0.5)
    for _ in range(3):
        calls.fetch("x", CODE)
    assert clock.slept == [2.0, 2.0]


def test_transient_failures_are_retried_with_exponential_backoff_and_each_attempt_is_spent() -> None:
    clock = Clock()
    provider = Scripted(Transient("s", "http_server", status=503), Transient("s", "timeout", seconds="1"), {"ok": 1})
    calls = paced(provider, clock, per_second=1000)
    assert calls.fetch("x", CODE) == {"ok": 1}
    assert [s for s in clock.slept if s >= 1] == [1.0, 2.0] and calls.budget.spent == 3


def test_a_transient_failure_that_persists_is_raised_after_the_last_attempt() -> None:
    clock = Clock()
    calls = paced(Scripted(*[Transient("s", "http_server", status=503)] * 3), clock, per_second=1000)
    with pytest.raises(Transient):
        calls.fetch("x", CODE)
    assert calls.provider.calls == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize("error", [BadKey("s", "http_bad_key", status=401), NoBalance("s", "http_no_balance"), Malformed("s", "not_json", status=200, size=4)])
def test_auth_balance_and_malformed_answers_are_never_retried(error: ProviderError) -> None:
    clock = Clock()
    provider = Scripted(error, {"ok": 1})
    with pytest.raises(type(error)):
        paced(provider, clock).fetch("x", CODE)
    assert provider.calls == 1 and not [s for s in clock.slept if s >= 1]


def test_no_call_is_made_beyond_the_budget() -> None:
    clock = Clock()
    provider = Scripted({}, {}, {})
    calls = paced(provider, clock, left=2)
    calls.fetch("x", CODE)
    calls.fetch("x", CODE)
    with pytest.raises(OutOfBudget, match="budget is spent"):
        calls.fetch("x", CODE)
    assert provider.calls == 2
