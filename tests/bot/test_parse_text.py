"""Parsing `/risk` text and follow-up messages: only the words parsed are normalised, what
people wrote is kept as they wrote it (issue 15)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import CommandError, parse, split_customer
from bot.followup_text import parse_followup
from bot.typed import as_typed
from messages.escape import escape
from scoring.grades import Grade

# Any text without control characters (line breaks and tabs are words' layout, not controls),
# rich in the punctuation and spaces a parser is tempted to translate.
TEMPTING = "，：:“”\"‘’'「」（）\u3000 \n\t&<>"
_PLAIN = st.text(st.characters(exclude_categories=("Cc", "Cs"), include_characters="\n\t"), max_size=6)
words = st.lists(st.one_of(st.sampled_from(TEMPTING), _PLAIN), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(note=words)
def test_a_follow_up_message_keeps_its_note_exactly(note: str) -> None:
    parsed = parse_followup(escape("跟进 客户：" + note))  # Slack sends & < > escaped
    assert parsed is not None
    assert (parsed.customer, parsed.text) == ("客户", note.strip())


@settings(max_examples=300, deadline=None)
@given(note=words.filter(str.strip))
def test_risk_log_writeoff_and_propose_keep_their_text_exactly(note: str) -> None:
    assert parse("跟进 客户：" + note).text == note.strip()
    assert parse("核销 客户：" + note).text == note.strip()
    proposal = parse("调级 客户 红：" + note)
    assert (proposal.query, proposal.grade, proposal.text) == ("客户", Grade.RED, note.strip())


@pytest.mark.parametrize(
    ("message", "customer", "text"),
    [
        ("跟进 客户：今天电话沟通，对方承诺月底付款", "客户", "今天电话沟通，对方承诺月底付款"),
        ("跟进 华强电子:对方说：“月底付”", "华强电子", "对方说：“月底付”"),
        ("#跟进 华强电子 对方  承诺\u3000月底付款", "华强电子", "对方  承诺\u3000月底付款"),
        ("跟进\u3000华强电子\u3000今天，电话", "华强电子", "今天，电话"),
        ("followup 华强电子\n第一行：\n  第二行 ‘引’", "华强电子", "第一行：\n  第二行 ‘引’"),
        ("<@U0BOT> 跟进 华强电子 ：  内容 ", "华强电子", "内容"),
        ("跟进 “深圳 华强”：内容，含“引号”", "深圳 华强", "内容，含“引号”"),
        ('跟进 "深圳：华强" 内容', "深圳：华强", "内容"),
        ("跟进 「华强电子」对账完毕", "华强电子", "对账完毕"),
        ("跟进 华强电子：A &amp; B &lt;!channel&gt;", "华强电子", "A & B <!channel>"),
        ("跟进 华强电子：第一行\r\n第二\x07行\x00", "华强电子", "第一行\n第二行"),
    ],
)
def test_the_customer_is_cut_out_on_the_first_separator_and_the_rest_kept(message, customer, text):
    parsed = parse_followup(message)
    assert parsed is not None and (parsed.customer, parsed.text) == (customer, text)


@pytest.mark.parametrize("message", ["今天开会讨论华强电子", "跟进", "跟进：", "跟进者 华强"])
def test_other_messages_are_not_follow_ups(message):
    assert parse_followup(message) is None


def test_split_customer_without_a_separator_has_no_text():
    assert split_customer("华强电子") == ("华强电子", "")
    assert split_customer("  “华强 电子”  ") == ("华强 电子", "")


@pytest.mark.parametrize(
    ("text", "name", "scope"),
    [("ＬＩＳＴ ｒｅｄ", "list", "red"), ("列表：红标", "list", "red"), ("List\u3000DUE", "list", "due"),
     ("？", "help", ""), ("ＨＥＬＰ", "help", ""), ("统计：", "stats", "")],
)
def test_command_and_list_words_are_normalised(text, name, scope):
    cmd = parse(text)
    assert (cmd.name, cmd.scope) == (name, scope)


def test_only_the_customer_and_grade_words_of_a_proposal_are_normalised():
    cmd = parse("调级  “杭州 博远”  ＲＥＤ  连续三个月，拖欠：“货款”\n\n已发函  ")
    assert (cmd.query, cmd.grade, cmd.text) == ("杭州 博远", Grade.RED, "连续三个月，拖欠：“货款”\n\n已发函")


def test_a_lookup_is_the_customer_reference_without_quotes_or_controls():
    assert parse("“华强\x00电子”").query == "华强电子"
    assert parse("深圳  华强\u3000电子").query == "深圳 华强 电子"


@pytest.mark.parametrize(("text", "missing"), [("log 华强电子", "缺少内容"), ("跟进 ：：内容", "缺少客户名"),
                                               ("调级 博远 红", "理由"), ("核销 博远", "缺少核销说明")])
def test_what_is_missing_is_named(text, missing):
    with pytest.raises(CommandError, match=missing):
        parse(text)


def test_as_typed_drops_only_control_characters_and_outer_whitespace():
    assert as_typed("  a\x00\x1b[31m，b\u3000“c”\r\n\td\x7f\x85 ") == "a[31m，b\u3000“c”\n\td"
