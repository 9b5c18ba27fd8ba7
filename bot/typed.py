"""What people type is kept as they typed it: notes, reasons and write-off texts (issue 15).

Only control characters go (a NUL is refused by PostgreSQL, a bell or an escape sequence is
nobody's words); line breaks, tabs, spaces, full-width punctuation and quotes all stay.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, except the line break and the tab.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def as_typed(text: str) -> str:
    """`text` without control characters or outer whitespace; a CR or CRLF becomes a line break."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
