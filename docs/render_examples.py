"""Render the README's pictures: a real card and a real approval request of the example ledger.

Imports `examples/customers.csv` into a throw-away SQLite ledger, builds the messages exactly
as the bot does, draws their Block Kit as a Slack-like HTML page and screenshots it with
headless Chromium (Debian's `chromium`, `fonts-noto-cjk` and `fonts-noto-color-emoji`):

    .venv/bin/python docs/render_examples.py            # writes docs/images/{card,approval}.png
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"
CARD_OF = "瑞丰塑胶"


def mrkdwn(text: str) -> str:
    """Slack's mrkdwn (already escaped for Slack) as HTML: bold, italic, code, links, mentions."""
    out = html.escape(html.unescape(text), quote=False)
    out = re.sub(r"&lt;(https?://[^|&]+)\|([^&]+)&gt;", r'<a href="\1">\2</a>', out)
    out = re.sub(r"&lt;@([UW][A-Z0-9]+)&gt;", r'<span class="mention">@\1</span>', out)
    out = re.sub(r"&lt;!date\^\d+\^[^|]*\|([^&]+)&gt;", r"\1", out)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*([^*\n]+?)\*", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w_])_([^_\n]+?)_(?![\w_])", r"<i>\1</i>", out)
    return out.replace("\n", "<br>")


def _text(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    return mrkdwn(obj["text"]) if obj.get("type") == "mrkdwn" else html.escape(obj["text"])


def _button(el: dict[str, Any]) -> str:
    style = el.get("style", "")
    return f'<span class="btn {style}">{_text(el.get("text"))}</span>'


def block_html(block: dict[str, Any]) -> str:
    kind = block["type"]
    if kind == "header":
        return f'<div class="header">{_text(block["text"])}</div>'
    if kind == "divider":
        return "<hr>"
    if kind == "context":
        return '<div class="context">' + " ".join(_text(e) for e in block["elements"] if "text" in e) + "</div>"
    if kind == "actions":
        return '<div class="actions">' + "".join(_button(e) for e in block["elements"] if e["type"] == "button") + "</div>"
    if kind == "section":
        body = f'<div class="text">{_text(block.get("text"))}</div>'
        if block.get("fields"):
            body += '<div class="fields">' + "".join(f"<div>{_text(f)}</div>" for f in block["fields"]) + "</div>"
        accessory = block.get("accessory")
        side = _button(accessory) if accessory and accessory.get("type") == "button" else ""
        return f'<div class="section"><div class="main">{body}</div>{side}</div>'
    return ""


PAGE = """<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; font: 15px/1.46 "Noto Sans CJK SC", "Noto Sans", "Noto Color Emoji", sans-serif; color: #1d1c1d; }}
.msg {{ display: flex; gap: 10px; padding: 16px 20px; width: 640px; }}
.avatar {{ width: 36px; height: 36px; border-radius: 6px; background: #2f6fde; color: #fff; font-weight: bold;
          display: flex; align-items: center; justify-content: center; flex: none; }}
.who {{ font-weight: 900; }} .who small {{ color: #616061; font-weight: normal; margin-left: 6px; }}
.header {{ font-size: 18px; font-weight: 900; margin: 4px 0; }}
.section {{ display: flex; justify-content: space-between; gap: 12px; margin: 6px 0; }}
.fields {{ display: grid; grid-template-columns: 1fr 1fr; gap: 6px 16px; margin-top: 6px; }}
.context {{ color: #616061; font-size: 13px; margin: 4px 0; }}
.actions {{ margin: 8px 0; display: flex; gap: 8px; flex-wrap: wrap; }}
.btn {{ border: 1px solid #bbb; border-radius: 4px; padding: 3px 12px; font-weight: bold; font-size: 14px; white-space: nowrap; align-self: flex-start; }}
.btn.primary {{ background: #007a5a; color: #fff; border-color: #007a5a; }}
.btn.danger {{ background: #e01e5a; color: #fff; border-color: #e01e5a; }}
.mention {{ background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }}
code {{ background: #f6f6f6; border: 1px solid #ddd; border-radius: 3px; padding: 0 3px; font-size: 13px; }}
hr {{ border: 0; border-top: 1px solid #ddd; margin: 10px 0; }} a {{ color: #1264a3; }}
</style><div class="msg"><div class="avatar">风</div><div><div class="who">riskbot <small>{note}</small></div>{blocks}</div></div>"""


def page(blocks: list[dict[str, Any]], note: str) -> str:
    return PAGE.format(blocks="".join(block_html(b) for b in blocks), note=html.escape(note))


def screenshot(document: str, target: Path, work: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("render_examples: install Debian's chromium and fonts-noto-cjk first")
    source = work / (target.stem + ".html")
    source.write_text(document, encoding="utf-8")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={target}", "--window-size=680,1400", source.as_uri()],
                   check=True, capture_output=True)
    subprocess.run(["convert", str(target), "-trim", "-bordercolor", "white", "-border", "12", str(target)], check=False)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="riskbot-docs-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'riskbot.db'}"
    os.environ.pop("RISKBOT_CONFIG", None)
    sys.path.insert(0, str(ROOT))
    riskbot = Path(sys.executable).with_name("riskbot")
    subprocess.run([str(riskbot), "import", str(ROOT / "examples" / "customers.csv")], check=True, capture_output=True)

    import messages as m
    from bot.config import Config
    from bot.services import build_services
    from bot.usecases import decisions, lookup
    from storage.db import open_database
    from storage.uow import Database

    services = build_services(Config(approvals_channel="C0APPROVALS", risk_directors=frozenset({"U0DIRECTOR"})),
                              Database(open_database()))
    card = lookup.card(services, lookup.resolve(services, CARD_OF).customer_id)
    OUT.mkdir(parents=True, exist_ok=True)
    screenshot(page(m.customer_card(services.renderer, card).blocks, "仅你可见"), OUT / "card.png", work)

    with services.db.uow() as uow:
        change = uow.changes.all_pending()[0]
        customer = uow.customers.get(change.customer_id)
        view = decisions.change_view(services, uow, change, customer)
    screenshot(page(m.approval_request(services.renderer, view).blocks, "#风控审批"), OUT / "approval.png", work)
    shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {OUT / 'card.png'} and {OUT / 'approval.png'}")


if __name__ == "__main__":
    main()
