"""The ledger's spreadsheet columns: keys, Chinese labels, and which ones import reads.

One table serves import (header → field), the blank template and the export, so a file the
export writes is a file the import reads. Indicator labels come from the profiles (a relabel
such as services' 服务费拖欠次数 is accepted too); the parts of derived indicators from
`scoring.values.PARTS`; identity labels are those of SPEC §2.

Export adds computed columns (score, grade, floors, measures, cadence …), `DERIVED`, with a
Chinese and an English label. `READ_ONLY` holds both labels (and earlier exports' ones): import
accepts and ignores them, so an exported ledger re-imports unchanged in either language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from scoring.profiles import DEFAULT_PROFILE, Indicator, ProfileSet
from scoring.rules import rating_choices
from scoring.values import PARTS

IDENTITY = "identity"
INDICATOR = "indicator"
PART = "part"
READ_ONLY_KIND = "read_only"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    kind: str  # identity | indicator | part | read_only
    unit: str  # text | date | count | money | pct | days | rating
    profile: str = ""  # for an added indicator: the profile that adds it
    choices: tuple[str, ...] = ()  # for a rating
    help: str = ""  # what it means, for the template's comment


IDENTITY_COLUMNS: tuple[Column, ...] = (
    Column("name", "客户全称", IDENTITY, "text", help="工商登记的完整名称，必填，不要用简称 / exact registered name, required. 例: 深圳市恒通电子元器件制造有限公司"),
    Column("credit_code", "统一社会信用代码", IDENTITY, "text", help="18位，必填且唯一，末位为校验码 / 18 characters, required, unique. 例: 91350100M000100Y43"),
    Column("industry", "所属行业", IDENTITY, "text", help="国民经济行业分类(GB/T 4754)名称，用于匹配适用模板 / GB/T 4754 class name. 例: 电子元器件制造"),
    Column("profile", "适用模板", IDENTITY, "text", help="可留空：按行业自动匹配 / optional, else mapped from the industry. 例: manufacturing"),
    Column("aliases", "客户简称", IDENTITY, "text", help="查询用的简称，多个用 、 , ; 分隔 / short names for lookup. 例: 恒通电子、恒通"),
    Column("since", "合作起始时间", IDENTITY, "date", help="日期 / date. 例: 2019-03-01"),
    Column("avg_payment_days", "平均付款周期", IDENTITY, "days", help="天，仅供参考 / days, informational. 例: 45"),
    Column("credit_terms_days", "约定账期", IDENTITY, "days", help="天，整数；预案据此计算新账期 / agreed credit terms in whole days. 例: 60"),
    Column("outstanding_amount", "待回款金额", IDENTITY, "money", help="元 / CNY. 例: 350000"),
    Column("sales_owner", "销售负责人", IDENTITY, "text", help="Slack 用户 ID 或邮箱 / Slack user ID or e-mail. 例: U0SALES01"),
    Column("risk_officer", "风控专员", IDENTITY, "text", help="Slack 用户 ID 或邮箱 / Slack user ID or e-mail. 例: risk01@example.com"),
)

PART_HELP = {
    "last_order_amount": "元；与近12个月平均下单额一起算出单次下单金额突增幅度 / CNY, part of the order spike. 例: 800000",
    "avg_order_amount_12m": "元 / CNY, part of the order spike. 例: 200000",
    "pending_litigation_amount": "元；与净资产一起算出涉诉金额占比 / CNY, part of the litigation ratio. 例: 500000",
    "net_assets": "元，可为负 / CNY, may be negative. 例: 10000000",
}
PART_COLUMNS: tuple[Column, ...] = tuple(
    Column(key, label, PART, "money", help=PART_HELP.get(key, "元 / CNY")) for key, label in PARTS.items()
)

# Computed columns the export adds after the facts, in its order: (key, Chinese label, English
# label). Import recognises either label and ignores the column, so an export re-imports unchanged.
DERIVED: tuple[tuple[str, str, str], ...] = (
    ("profile_in_use", "使用模板", "Profile used"),
    ("score", "风险得分", "Risk score"),
    ("grade", "风险等级", "Risk grade"),
    ("computed_grade", "计算等级", "Computed grade"),
    ("grade_since", "等级生效日期", "Grade since"),
    ("coverage", "评分覆盖率", "Score coverage"),
    ("floors", "触发的底线", "Floors triggered"),
    ("plan", "对应措施", "Measures"),
    ("terms_after", "建议账期(天)", "Credit terms after (days)"),
    ("prepayment_pct", "最低预付比例", "Minimum prepayment"),
    ("cadence", "跟进频率", "Follow-up cadence"),
    ("next_due", "下次跟进日期", "Next follow-up due"),
    ("last_followup", "最近跟进", "Last follow-up"),
    ("pending_change", "待审批变更", "Pending change"),
    ("held_grade", "人工定级", "Manual grade (held)"),
)
# Labels earlier exports wrote, so their files re-import too.
_EARLIER_LABELS = (
    ("score", "评分"), ("coverage", "资料完整度"), ("provisional", "资料不全"), ("effective_grade", "生效等级"),
    ("held_grade", "锁定等级"), ("pending_change", "待审批调级"), ("plan", "应对预案"),
    ("prepayment_pct", "最低预付比例(%)"), ("cadence", "跟踪频率"),
)
READ_ONLY: tuple[Column, ...] = tuple(
    Column(key, label, READ_ONLY_KIND, "text")
    for key, label in (*((k, zh) for k, zh, _ in DERIVED), *((k, en) for k, _, en in DERIVED), *_EARLIER_LABELS)
)

_UNIT_HELP = {
    "count": "次数，非负整数，0 表示已核查无记录 / count, whole number ≥ 0 (0 = checked, none). 例: 0",
    "money": "元 / CNY. 例: 150000",
    "pct": "百分比，可为负 / percent, may be negative. 例: -35 (即 -35%)",
    "days": "天 / days. 例: 30",
    "rating": "评级 / rating",
}


def _indicator_column(indicator: Indicator, profile: str) -> Column:
    choices = rating_choices(indicator.rule)
    unit_help = _UNIT_HELP.get(indicator.unit, indicator.unit)
    if choices:
        unit_help = f"{unit_help}: {'/'.join(choices)}. 例: {choices[min(1, len(choices) - 1)]}"
    help_text = (f"{unit_help}\n规则 rule: {indicator.rule.text}；权重 weight {indicator.weight:.4g}\n"
                 "留空表示未知 / empty = unknown")
    return Column(indicator.key, indicator.label, INDICATOR, indicator.unit, profile, choices, help_text)


def indicator_columns(profiles: ProfileSet) -> tuple[Column, ...]:
    """The general profile's indicators first, then each other profile's added ones."""
    general = profiles.get(DEFAULT_PROFILE)
    columns = [_indicator_column(i, DEFAULT_PROFILE) for i in general.indicators]
    seen = {c.key for c in columns}
    for name in profiles.names():
        for indicator in profiles.get(name).indicators:
            if indicator.key not in seen:
                seen.add(indicator.key)
                columns.append(_indicator_column(indicator, name))
    return tuple(columns)


def import_columns(profiles: ProfileSet) -> tuple[Column, ...]:
    """Every column import writes from, in template order: identity, general, parts, added."""
    indicators = indicator_columns(profiles)
    general = tuple(c for c in indicators if c.profile == DEFAULT_PROFILE)
    added = tuple(c for c in indicators if c.profile != DEFAULT_PROFILE)
    return IDENTITY_COLUMNS + general + PART_COLUMNS + added


def header_key(text: str) -> str:
    """How headers compare: full-width folded (（）→ ()), case and spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


_BRACKETED = re.compile(r"\([^)]*\)$")


def header_map(profiles: ProfileSet) -> dict[str, Column]:
    """Normalised header text → column: keys, labels, every profile's relabels, and labels
    without their trailing bracket (经营异常记录次数 for 经营异常记录次数(近3年)) when unambiguous."""
    columns = import_columns(profiles) + READ_ONLY
    by_key = {c.key: c for c in columns}
    found: dict[str, Column] = {}

    def offer(text: str, column: Column) -> None:
        found.setdefault(header_key(text), column)

    for column in columns:
        offer(column.key, column)
        offer(column.label, column)
    for name in profiles.names():
        for indicator in profiles.get(name).indicators:
            offer(indicator.label, by_key[indicator.key])
    short: dict[str, set[str]] = {}
    for text, column in list(found.items()):
        stripped = _BRACKETED.sub("", text)
        if stripped and stripped != text:
            short.setdefault(stripped, set()).add(column.key)
    for text, keys in short.items():
        if len(keys) == 1 and text not in found:
            found[text] = by_key[next(iter(keys))]
    return found


def profile_names(profiles: ProfileSet) -> dict[str, str]:
    """Normalised profile name or label → profile name (适用模板 accepts either)."""
    names: dict[str, str] = {}
    for name in profiles.names():
        names[header_key(name)] = name
        names.setdefault(header_key(profiles.get(name).label), name)
    return names
