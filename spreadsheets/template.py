"""`riskbot template`: a blank import workbook for a team that starts from Excel (SPEC §11).

The 客户 sheet has one column per importable field, Chinese labels as headers (grouped by
colour: identity, general indicators, parts of derived indicators, other profiles' added
indicators), a note per column (meaning, unit, example), drop-downs for 所属行业, 适用模板
and ratings, number checks, and a frozen header row. Lists live on a hidden 选项 sheet.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter

from spreadsheets.columns import IDENTITY, PART, Column, import_columns
from scoring.profiles import DEFAULT_PROFILE, ProfileSet

# Common GB/T 4754-2017 class names; the list is a suggestion, other text is accepted.
INDUSTRIES: tuple[str, ...] = (
    "电子元器件制造", "计算机制造", "通信设备制造", "电气机械和器材制造", "通用设备制造",
    "专用设备制造", "汽车零部件及配件制造", "金属制品业", "塑料制品业", "纺织业",
    "纺织服装、服饰业", "印刷和记录媒介复制业", "化学原料和化学制品制造业", "医药制造业",
    "食品制造业", "家具制造业", "钢压延加工", "有色金属冶炼和压延加工业",
    "互联网零售", "百货零售", "超级市场零售", "电子商务服务",
    "软件开发", "信息系统集成服务", "信息技术咨询服务", "工业设计服务", "企业管理咨询",
    "融资租赁服务", "商业保理", "小额贷款公司服务", "典当",
    "五金产品批发", "道路货物运输", "仓储业", "建筑装饰和装修业", "餐饮业",
)

LAST_ROW = 1_048_575  # validations cover the whole column
_GROUP_COLOURS = {"identity": "#DDEBF7", "general": "#FFF2CC", "part": "#EDEDED", "added": "#E2EFDA"}


def _group(column: Column) -> str:
    if column.kind == IDENTITY:
        return "identity"
    if column.kind == PART:
        return "part"
    return "general" if column.profile == DEFAULT_PROFILE else "added"


def _comment(column: Column, profiles: ProfileSet) -> str:
    lines = [f"{column.label}  ({column.key})", column.help]
    if column.kind != IDENTITY and column.kind != PART and column.profile != DEFAULT_PROFILE:
        name = column.profile
        lines.append(f"仅 {profiles.get(name).label} 模板计分 / scored only in profile {name}")
    if column.key == "profile":
        lines.append("可选 choices: " + ", ".join(f"{n} {profiles.get(n).label}" for n in profiles.names()))
    return "\n".join(line for line in lines if line)


def _validation(column: Column, lists: dict[str, str]) -> dict[str, Any] | None:
    key, unit = column.key, column.unit
    if key == "industry":
        return {"validate": "list", "source": lists["industry"], "error_type": "information",
                "error_title": "所属行业", "error_message": "不在常用列表中，仍可使用 / not in the usual list; accepted anyway"}
    if key == "profile":
        return {"validate": "list", "source": lists["profile"], "error_title": "适用模板",
                "error_message": "请从列表选择，或留空按行业匹配 / pick from the list, or leave empty"}
    if key == "credit_code":
        return {"validate": "length", "criteria": "==", "value": 18, "error_title": "统一社会信用代码",
                "error_message": "必须为18位 / must be 18 characters"}
    if unit == "rating":
        return {"validate": "list", "source": list(column.choices), "error_title": column.label,
                "error_message": f"请选择 {'/'.join(column.choices)}"}
    if unit == "count":
        return {"validate": "integer", "criteria": ">=", "value": 0, "error_title": column.label,
                "error_message": "非负整数 / a whole number ≥ 0"}
    if unit in ("money", "days") and key != "net_assets":
        return {"validate": "decimal", "criteria": ">=", "value": 0, "error_title": column.label,
                "error_message": "不能为负 / cannot be negative"}
    if unit == "date":
        return {"validate": "date", "criteria": ">", "value": date(1949, 10, 1), "error_title": column.label,
                "error_message": "请输入日期，例 2019-03-01 / a date like 2019-03-01"}
    return None


def write_template(path: Path | str, profiles: ProfileSet) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("客户")
    options = workbook.add_worksheet("选项")
    options.write_column(0, 0, ["所属行业 industry", *INDUSTRIES])
    names = profiles.names()
    options.write_column(0, 1, ["适用模板 profile", *names])
    options.hide()
    lists = {
        "industry": f"='选项'!$A$2:$A${len(INDUSTRIES) + 1}",
        "profile": f"='选项'!$B$2:$B${len(names) + 1}",
    }
    headers = {
        group: workbook.add_format({"bold": True, "bg_color": colour, "border": 1, "text_wrap": True, "valign": "top"})
        for group, colour in _GROUP_COLOURS.items()
    }
    text = workbook.add_format({"num_format": "@"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.set_row(0, 36)
    for col, column in enumerate(import_columns(profiles)):
        sheet.write_string(0, col, column.label, headers[_group(column)])
        sheet.write_comment(0, col, _comment(column, profiles), {"x_scale": 2.5, "y_scale": 2})
        width = 30 if column.key == "name" else 22 if column.unit in ("text", "date") else 16
        cell_format = text if column.key == "credit_code" else day if column.unit == "date" else None
        sheet.set_column(col, col, width, cell_format)
        rule = _validation(column, lists)
        if rule is not None:
            sheet.data_validation(1, col, LAST_ROW, col, {"ignore_blank": True, **rule})
    sheet.freeze_panes(1, 0)
    workbook.close()
