"""Risk alerts (风险异动预警, SPEC §10): lines a data update newly crosses.

Each crossing carries a signature (`key:old->new`) so that storage can send it once per change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Crossing:
    key: str
    old: Any
    new: Any
    what: str  # Chinese description of the line crossed

    @property
    def signature(self) -> str:
        return f"{self.key}:{self.old}->{self.new}"


def _increased(old: Any, new: Any) -> bool:
    return new > (old or 0)


def _over(line: float) -> Callable[[Any, Any], bool]:
    return lambda old, new: new > line and not (old is not None and old > line)


# key → (test(old, new), description). A count alerts on every new record; a level when it
# newly goes over its line.
ALERT_LINES: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "dishonest_debtor_count": (_increased, "新增失信被执行人记录"),
    "order_spike_pct": (_over(300), "单次下单金额突增超过300%"),
    "term_extension_days": (_over(60), "申请延长账期超过60天"),
    "overdue_payment_count": (_increased, "新增逾期付款"),
    "tax_arrears_count": (_increased, "新增欠税公告"),
    "admin_penalty_max_amount": (_over(100_000), "行政处罚金额超过10万元"),
}


def crossings(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Crossing]:
    """The alert lines crossed going from `old` to `new` values (unknown new values cross nothing)."""
    found = []
    for key, (test, what) in ALERT_LINES.items():
        value = new.get(key)
        if value is None or isinstance(value, str):
            continue
        before = old.get(key)
        if value != before and test(before, value):
            found.append(Crossing(key, before, value, what))
    return found
