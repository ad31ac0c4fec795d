"""JSON text that is safe to print: every control character is a `\\uXXXX` escape.

`json.dumps(..., ensure_ascii=False)` escapes only C0 controls; DEL, the C1 controls (U+009B
is an 8-bit CSI that terminals act on), line/paragraph separators and bidirectional overrides
pass through raw.  Escaping them keeps the JSON identical in meaning and readable (other
non-ASCII text stays as is), and nothing in it can drive a terminal.
"""

from __future__ import annotations

import json
import re

_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dumps(value: object, *, indent: int | None = 2) -> str:
    """`value` as JSON; outside strings JSON has no such characters, so escaping them in
    place is exact."""
    return _UNSAFE.sub(_escape, json.dumps(value, ensure_ascii=False, indent=indent))
