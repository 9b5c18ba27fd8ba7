"""An import's problems speak the user's language, through one catalogue (import.j2, zh + en).

Problems are data (`Problem`: row, column, key, params) until they are reported: these tests
put the same problems in both languages, check that every key the code uses has words in
both, and that problems cross from the checking process as they are.
"""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

from spreadsheets.rows import Problem
from messages.plain import Words, words
from storage.uow import Database
from tests.ledger.helpers import customer, english, run_import, write_csv

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "messages" / "templates"
_MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(")
# Where problem keys and CLI pieces are named, and the argument that names one in each call.
SOURCES = ("spreadsheets/rows.py", "spreadsheets/reading.py", "ledger/importing.py", "ledger/checking.py", "spreadsheets/xls_book.py", "bot/cli/ledger.py",
           "bot/cli/assess.py", "bot/cli/base.py", "scoring/values.py", "scoring/credit_code.py",
           "scoring/events.py", "spreadsheets/event_sheet.py", "ledger/event_import.py", "bot/commands.py",
           "bot/usecases/events.py")
KEY_ARGUMENT = {"Fault": 0, "TableError": 0, "Unreadable": 0, "CheckingFailed": 0, "Problem": 2, "ValueProblem": 2,
                "__init__": 2}
# An event field's problem: its key (the second argument) is worded as `event_<key>`.
EVENT_KEY_ARGUMENT = {"EventInputError": 1}
# Pieces only other pieces or the problem's own rendering call.
INNER = {"grade", "event_kind_name"}


def macros(locale: str) -> set[str]:
    return set(_MACRO.findall((CATALOGUE / locale / "import.j2").read_text("utf-8")))


def keys_in_code() -> set[str]:
    """Every piece of import.j2 the code names: problem keys and literal "import.x" names."""
    found: set[str] = set()
    for source in SOURCES:
        for node in ast.walk(ast.parse((ROOT / source).read_text("utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
                at = KEY_ARGUMENT.get(name)
                if at is not None and len(node.args) > at and isinstance(node.args[at], ast.Constant):
                    found.add(node.args[at].value)
                at = EVENT_KEY_ARGUMENT.get(name)
                if at is not None and len(node.args) > at and isinstance(node.args[at], ast.Constant):
                    found.add("event_" + node.args[at].value)
            elif isinstance(node, ast.Tuple) and node.elts and isinstance(node.elts[0], ast.Constant) \
                    and str(node.elts[0].value).startswith("code_"):  # credit_code_fault's (key, params)
                found.add(node.elts[0].value)
            elif isinstance(node, ast.Constant) and re.fullmatch(r"import\.\w*[^\W_]", str(node.value)):
                # not f"import.{key}" nor f"import.event_{key}": the keys above
                found.add(node.value.removeprefix("import."))
    return found


def test_every_key_the_code_uses_has_words_in_both_languages_and_none_is_left_over() -> None:
    used = keys_in_code()
    assert len(used) > 60  # the walk finds them
    assert used - macros("zh") == set()
    assert used - macros("en") == set()
    assert macros("zh") == macros("en") == used | INNER


def check(db: Database, tmp_path: Path, rows: list[dict[str, Any]], headers: list[str] | None = None) -> list[Problem]:
    report = run_import(db, write_csv(tmp_path / "in.csv", rows, headers))
    assert not report.ok
    return report.errors


def say(problems: list[Problem], locale: str) -> list[str]:
    return [problem.text(words(locale)) for problem in problems]


def test_the_issues_example_in_both_languages(db: Database, tmp_path: Path) -> None:
    rows = [{"客户全称": "甲公司", "统一社会信用代码": "91350100M000100Y43", "合作起始时间": "2019-03-01"},
            {"客户全称": "乙公司", "统一社会信用代码": "914403001922038216", "合作起始时间": "unterminated"}]
    problems = check(db, tmp_path, rows)
    assert say(problems, "zh") == ["第 3 行，合作起始时间：应为日期，如 2019-03-01，实际为 'unterminated'"]
    assert say(problems, "en") == ["row 3, column 合作起始时间: expected a date like 2019-03-01, got 'unterminated'"]


CHINESE = [
    ({"credit_code": "91350100M000100Y4"}, "第 3 行，credit_code：应为 18 位，实际为 17 位"),
    ({"credit_code": "91350100M000100I43"}, "第 3 行，credit_code：第 16 位是“I”：信用代码中不会出现字母 I、O、Z、S、V"),
    ({"credit_code": "91350100M000100Y44"}, "第 3 行，credit_code：校验码“4”有误（应为“3”）：可能有字符输错"),
    ({"credit_code": ""}, "第 3 行，credit_code：必填：18 位统一社会信用代码"),
    ({"name": ""}, "第 3 行，name：必填：工商登记的客户全称，不要用简称"),
    ({"tax_arrears_count": "很多"}, "第 3 行，tax_arrears_count：应为数字，实际为文本 '很多'"),
    ({"tax_arrears_count": -1}, "第 3 行，tax_arrears_count：次数不能为负数，实际为 '-1'"),
    ({"tax_arrears_count": 1.5}, "第 3 行，tax_arrears_count：次数须为整数，实际为 '1.5'"),
    ({"cumulative_amount": "1e25"}, "第 3 行，cumulative_amount：超出范围：'1e25'；可接受 -999,999,999,999,999 至 "
                                    "999,999,999,999,999——请检查单位（元、天、%）和小数点"),
    ({"sales_owner": "张三"}, "第 3 行，sales_owner：应为 Slack 用户 ID（如 U0123ABCD）或邮箱地址，实际为 '张三'"),
    ({"profile": "retail"}, "第 3 行，profile：未知的模板 'retail'；请使用 ecommerce, finance, general, manufacturing, "
                            "services 之一，或留空按所属行业匹配"),
    ({"since": "0001-01-01"}, "第 3 行，since：应为 1900-01-01 至 2100-12-31 之间的日期，实际为 0001-01-01"),
    ({"credit_terms_days": "-30"}, "第 3 行，credit_terms_days：应为不小于 0 的整数天数，实际为 '-30'"),
    ({"credit_terms_days": "99999999999"}, "第 3 行，credit_terms_days：数值过大：'99999999999'；最多 2,147,483,647 天"),
    ({"outstanding_amount": "1e17"}, "第 3 行，outstanding_amount：数值过大：'1e17'；最多 9,999,999,999,999.99——请检查单位和小数点"),
    ({"outstanding_amount": "-5"}, "第 3 行，outstanding_amount：不能为负数，实际为 '-5'"),
    ({"name": "测" * 256}, "第 3 行，name：过长：256 个字符，最多 255 个；请缩短"),
    ({"credit_code": "91350100m000100Y43"}, "第 3 行，credit_code：须为大写：“m”→“M”"),
    ({"credit_code": "91350100M000100Y4!"}, "第 3 行，credit_code：第 18 位是“!”：只允许数字及 A-H、J-N、P-R、T、U、W-Y"),
]


@pytest.mark.parametrize(("change", "line"), CHINESE, ids=[c[1][10:40] for c in CHINESE])
def test_a_row_problem_in_chinese(db: Database, tmp_path: Path, change: dict[str, Any], line: str) -> None:
    problems = check(db, tmp_path, [customer(1), customer(2, **change)])
    assert say(problems, "zh") == [line]
    assert say(problems, "en") == english(problems)  # the same problem, in English words


def test_header_problems_in_both_languages(db: Database, tmp_path: Path) -> None:
    problems = check(db, tmp_path, [{"name": "甲", "客户全称": "甲", "信用代码": "x", "备注信息": "y"}])
    assert say(problems, "zh") == [
        "第 1 行，客户全称：与列 name（name）是同一字段；只保留其中一列",
        "第 1 行，信用代码：未知的列；是否应为“统一社会信用代码”？",
        "第 1 行，备注信息：未知的列；请使用字段键名或其中文列名（参见 `riskbot template`）",
        "第 1 行，统一社会信用代码：缺少必填列：请添加列 统一社会信用代码（credit_code）",
    ]
    assert say(problems, "en") == [
        "row 1, column 客户全称: the same field as column name (name); keep one of them",
        "row 1, column 信用代码: unknown column; did you mean '统一社会信用代码'?",
        "row 1, column 备注信息: unknown column; use a field key or its Chinese label (see `riskbot template`)",
        "row 1, column 统一社会信用代码: required column missing: add a column 统一社会信用代码 (credit_code)",
    ]


def test_a_value_without_a_header_and_an_empty_file_in_both_languages(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("name,,credit_code\n甲公司,x,91350100M000100Y43\n", encoding="utf-8")
    problems = run_import(db, path).errors
    assert say(problems, "zh") == ["第 2 行，#2：无列标题的列中有值；请补上列标题或清空该列"]
    assert say(problems, "en") == ["row 2, column #2: a value in a column without a header; add the header or clear the column"]
    path.write_text("\n\n", encoding="utf-8")
    problems = run_import(db, path).errors
    assert say(problems, "zh") == ["第 1 行：文件为空；第一行须为列标题（参见 `riskbot template`）"]
    assert say(problems, "en") == ["row 1: the file is empty; the first row must hold the column headers (see `riskbot template`)"]


def test_a_warning_and_a_contradiction_in_both_languages(db: Database, tmp_path: Path) -> None:
    code = customer(1)["credit_code"]
    bad_check = code[:17] + ("0" if code[17] != "0" else "1")
    row = customer(1, credit_code=bad_check, order_spike_pct=50, last_order_amount=1000, avg_order_amount_12m=100)
    report = run_import(db, write_csv(tmp_path / "in.csv", [row]), accept_bad_check=True)
    assert report.ok and report.warning_count == 1
    assert say(report.warnings, "zh") == [f"第 2 行，credit_code：校验码“{bad_check[17]}”有误（应为“{code[17]}”）——已按 --accept-bad-check 接受"]

    report = run_import(db, write_csv(tmp_path / "in.csv", [customer(2, order_spike_pct=50, last_order_amount=1000,
                                                                      avg_order_amount_12m=100)]))
    assert say(report.warnings, "zh") == ["第 2 行，order_spike_pct：填写值为 50，但 last_order_amount / avg_order_amount_12m "
                                          "算出 900；保留填写值——如要按组成部分计算，请清空此单元格"]


def test_problems_cross_from_the_checking_process_as_data(db: Database, tmp_path: Path) -> None:
    rows = [customer(n) for n in range(1, 30)] + [customer(30, since="去年")]
    report = run_import(db, write_csv(tmp_path / "in.csv", rows), checker_process_from=0)
    assert report.errors == [Problem(31, "since", "date", {"got": "'去年'"})]
    assert say(report.errors, "zh") == ["第 31 行，since：应为日期，如 2019-03-01，实际为 '去年'"]


def test_a_problem_is_plain_data_cheap_to_send() -> None:
    problem = Problem(3, "合作起始时间", "date", {"got": "'x'"})
    assert pickle.loads(pickle.dumps(problem)) == problem


def test_an_unknown_locale_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown locale 'fr'"):
        Words("fr")
