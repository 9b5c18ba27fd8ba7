"""Write examples/customers.csv and examples/customers.xlsx: 30 FICTIONAL customers.

Every name is invented; credit codes carry a correct check character (GB 32100-2015) but
belong to no one. Once imported and scored the ledger shows all four grades across the five
profiles, so a new admin sees a populated ledger in the quick start:

    .venv/bin/python examples/make_examples.py
    riskbot import examples/customers.csv
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.credit_code import ALPHABET, check_character  # noqa: E402

HERE = Path(__file__).resolve().parent

# (name, short names, industry, region code, risk) — risk picks a set of indicator values.
CUSTOMERS: tuple[tuple[str, str, str, str, str], ...] = (
    ("深圳市恒通电子元器件制造有限公司", "恒通电子、恒通", "电子元器件制造", "440300", "clean"),
    ("苏州华捷精密机械制造有限公司", "华捷精密", "通用设备制造", "320500", "clean"),
    ("东莞市瑞丰塑胶制品有限公司", "瑞丰塑胶", "塑料制品业", "441900", "mild"),
    ("宁波市海岳汽车零部件制造有限公司", "海岳汽配", "汽车零部件及配件制造", "330200", "clean"),
    ("佛山市顺德区金澜五金制品有限公司", "金澜五金", "金属制品业", "440600", "dishonest"),
    ("无锡市润泽纺织印染有限公司", "润泽纺织", "纺织业", "320200", "red"),
    ("温州市鸿运鞋服加工有限公司", "鸿运鞋服", "纺织服装、服饰业", "330300", "black"),
    ("杭州云栖优品电子商务有限公司", "云栖优品", "互联网零售", "330100", "clean"),
    ("广州市悦购网络零售有限公司", "悦购", "互联网零售", "440100", "mild"),
    ("上海橙果百货零售有限公司", "橙果百货", "百货零售", "310000", "red"),
    ("义乌市小象日用品网店有限公司", "小象网店", "电子商务服务", "330700", "black"),
    ("北京数衡软件技术有限公司", "数衡软件", "软件开发", "110000", "clean"),
    ("成都蓝鲸信息系统集成有限公司", "蓝鲸集成", "信息系统集成服务", "510100", "clean"),
    ("武汉启明企业管理咨询有限公司", "启明咨询", "企业管理咨询", "420100", "mild"),
    ("南京青禾工业设计有限公司", "青禾设计", "工业设计服务", "320100", "red"),
    ("西安星图信息技术咨询有限公司", "星图咨询", "信息技术咨询服务", "610100", "provisional"),
    ("深圳前海汇融融资租赁有限公司", "汇融租赁", "融资租赁服务", "440300", "clean"),
    ("天津滨海信达商业保理有限公司", "信达保理", "商业保理", "120000", "mild"),
    ("重庆市渝丰小额贷款有限公司", "渝丰小贷", "小额贷款公司服务", "500000", "black"),
    ("厦门鹭江五金产品批发有限公司", "鹭江五金", "五金产品批发", "350200", "clean"),
    ("青岛海川道路货物运输有限公司", "海川物流", "道路货物运输", "370200", "clean"),
    ("长沙湘云仓储服务有限公司", "湘云仓储", "仓储业", "430100", "mild"),
    ("合肥徽匠建筑装饰工程有限公司", "徽匠装饰", "建筑装饰和装修业", "340100", "red"),
    ("郑州中原味道餐饮管理有限公司", "中原味道", "餐饮业", "410100", "clean"),
    ("昆山市锦程电气机械有限公司", "锦程电气", "电气机械和器材制造", "320500", "clean"),
    ("中山市明辉灯饰制造有限公司", "明辉灯饰", "电气机械和器材制造", "442000", "dishonest"),
    ("泉州市博远食品制造有限公司", "博远食品", "食品制造业", "350500", "mild"),
    ("珠海市格林医药制造有限公司", "格林医药", "医药制造业", "440400", "clean"),
    ("济南泉城印刷包装有限公司", "泉城印刷", "印刷和记录媒介复制业", "370100", "black"),
    ("福州闽越通信设备制造有限公司", "闽越通信", "通信设备制造", "350100", "clean"),
)

GENERAL = (
    "cumulative_amount", "abnormal_operation_count", "revenue_change_pct", "executive_change_count",
    "tax_arrears_count", "dishonest_debtor_count", "overdue_payment_count", "credit_overdue_count",
    "term_extension_days", "return_breach_count", "admin_penalty_max_amount",
    "last_order_amount", "avg_order_amount_12m", "pending_litigation_amount", "net_assets",
)
ADDED = (
    "capacity_utilization_change_pct", "partner_default_count",  # manufacturing
    "malicious_return_count", "platform_complaint_count", "coupon_abuse_count", "pro_claimant_link_count",  # ecommerce
    "payment_willingness", "acceptance_dispute_count",  # services
    "debt_ratio_pct", "controller_credit_overdue_count", "related_party_risk_count",  # finance
)
HEADERS = (
    "name", "credit_code", "industry", "aliases", "since", "avg_payment_days", "credit_terms_days",
    "outstanding_amount", "sales_owner", "risk_officer", *GENERAL, *ADDED,
)
LABELS = {
    "name": "客户全称", "credit_code": "统一社会信用代码", "industry": "所属行业", "aliases": "客户简称",
    "since": "合作起始时间", "avg_payment_days": "平均付款周期", "credit_terms_days": "约定账期",
    "outstanding_amount": "待回款金额", "sales_owner": "销售负责人", "risk_officer": "风控专员",
}

# Indicator values per risk level (general indicators, parts and every profile's additions).
CLEAN = {
    "cumulative_amount": 2_600_000, "abnormal_operation_count": 0, "revenue_change_pct": 6,
    "executive_change_count": 0, "tax_arrears_count": 0, "dishonest_debtor_count": 0,
    "overdue_payment_count": 0, "credit_overdue_count": 0, "term_extension_days": 0,
    "return_breach_count": 0, "admin_penalty_max_amount": 0, "last_order_amount": 260_000,
    "avg_order_amount_12m": 240_000, "pending_litigation_amount": 0, "net_assets": 18_000_000,
    "capacity_utilization_change_pct": -3, "partner_default_count": 0, "malicious_return_count": 0,
    "platform_complaint_count": 0, "coupon_abuse_count": 0, "pro_claimant_link_count": 0,
    "payment_willingness": "A", "acceptance_dispute_count": 0, "debt_ratio_pct": 45,
    "controller_credit_overdue_count": 0, "related_party_risk_count": 0,
}
RISKS: dict[str, dict[str, object]] = {
    "clean": {},
    # SPEC §4's worked example: 2 overdue + 1 tax arrears, cumulative 500,000 → 82.6 yellow.
    "mild": {"overdue_payment_count": 2, "tax_arrears_count": 1, "cumulative_amount": 500_000,
             "platform_complaint_count": 1, "payment_willingness": "B", "debt_ratio_pct": 72},
    "dishonest": {"dishonest_debtor_count": 1},  # floor: at least yellow
    "red": {"overdue_payment_count": 4, "credit_overdue_count": 1, "malicious_return_count": 2,
            "coupon_abuse_count": 1, "payment_willingness": "C", "acceptance_dispute_count": 2},
    "black": {"abnormal_operation_count": 3, "revenue_change_pct": -48, "executive_change_count": 3,
              "tax_arrears_count": 2, "dishonest_debtor_count": 1, "overdue_payment_count": 5,
              "credit_overdue_count": 2, "term_extension_days": 90, "return_breach_count": 4,
              "admin_penalty_max_amount": 250_000, "last_order_amount": 1_200_000,
              "avg_order_amount_12m": 200_000, "pending_litigation_amount": 6_000_000, "net_assets": -500_000,
              "malicious_return_count": 3, "platform_complaint_count": 6, "coupon_abuse_count": 2,
              "pro_claimant_link_count": 1, "payment_willingness": "D", "acceptance_dispute_count": 3,
              "debt_ratio_pct": 92, "controller_credit_overdue_count": 2, "related_party_risk_count": 3,
              "capacity_utilization_change_pct": -35, "partner_default_count": 2},
}
PROVISIONAL = ("overdue_payment_count", "dishonest_debtor_count", "tax_arrears_count")  # the rest unknown


def credit_code(name: str, region: str) -> str:
    """A made-up code: 91 (enterprise) + region + 9 characters from the name's hash + check."""
    digest = hashlib.sha256(name.encode()).digest()
    body = "MA" + "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:7])
    first17 = "91" + region + body
    return first17 + check_character(first17)


def rows() -> list[dict[str, object]]:
    out = []
    for n, (name, aliases, industry, region, risk) in enumerate(CUSTOMERS, start=1):
        values = {**CLEAN, **RISKS.get(risk, {})}
        if risk == "provisional":
            values = {k: 0 for k in PROVISIONAL}
        terms = (30, 45, 60, 90)[n % 4]
        out.append({
            "name": name, "credit_code": credit_code(name, region), "industry": industry, "aliases": aliases,
            "since": f"{2015 + n % 9}-{1 + n % 12:02d}-{1 + (n * 7) % 28:02d}", "avg_payment_days": terms + (n % 3) * 5,
            "credit_terms_days": terms, "outstanding_amount": 50_000 * (1 + n % 9),
            "sales_owner": f"U0SALES{1 + n % 4:02d}",
            "risk_officer": "risk01@example.com" if n % 2 else "U0RISK001",
            **values,
        })
    return out


def main() -> None:
    data = rows()
    header = [LABELS.get(k) or _label(k) for k in HEADERS]
    with (HERE / "customers.csv").open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in data:
            writer.writerow(["" if row.get(k) is None else row.get(k) for k in HEADERS])
    workbook = xlsxwriter.Workbook(str(HERE / "customers.xlsx"))
    sheet = workbook.add_worksheet("客户")
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    sheet.write_row(0, 0, header, bold)
    for r, row in enumerate(data, start=1):
        for c, key in enumerate(HEADERS):
            value = row.get(key)
            if value is None:
                continue
            if key == "credit_code":
                sheet.write_string(r, c, str(value), text)
            else:
                sheet.write(r, c, value)
    sheet.freeze_panes(1, 0)
    workbook.close()
    print(f"wrote {len(data)} customers to {HERE / 'customers.csv'} and {HERE / 'customers.xlsx'}")


def _label(key: str) -> str:
    from scoring.profiles import load_profiles
    from scoring.values import PARTS

    if key in PARTS:
        return PARTS[key]
    profiles = load_profiles()
    for name in ["general", *profiles.names()]:
        indicator = profiles.get(name).by_key.get(key)
        if indicator is not None:
            return indicator.label
    raise KeyError(key)


if __name__ == "__main__":
    main()
