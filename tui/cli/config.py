"""`paperdeck config path|show`: where the configuration lives and what paperdeck makes of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from store.settings import Settings


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def settings_toml(settings: Settings) -> str:
    """The effective settings as a TOML file (unset values as comments), ready to copy."""
    data = settings.to_json()
    lines: list[str] = []
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    for key, value in data.items():
        if key in tables:
            continue
        lines.append(f"{key} = {_toml_value(value)}" if value is not None else f"# {key} =")
    for table, values in tables.items():
        lines += ["", f"[{table}]"]
        for key, value in values.items():
            name = json.dumps(key) if not key.replace("_", "").isalnum() else key
            lines.append(f"{name} = {_toml_value(value)}" if value is not None else f"# {name} =")
    return "\n".join(lines) + "\n"


def run_config(
    action: str,
    *,
    path: Path,
    settings: Settings,
    problems: list[str],
    as_json: bool,
    out: TextIO,
) -> int:
    """`path` prints the file's location; `show` the settings in force (defaults filled in)."""
    if action == "path":
        if as_json:
            out.write(json.dumps({"path": str(path), "exists": path.exists()}) + "\n")
        else:
            out.write(f"{path}\n")
        return 0
    if as_json:
        body = {
            "path": str(path),
            "exists": path.exists(),
            "settings": settings.to_json(),
            "problems": problems,
        }
        out.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    else:
        state = "" if path.exists() else " (not created yet: these are the defaults)"
        out.write(f"# {path}{state}\n")
        out.write(settings_toml(settings))
    return 1 if problems else 0
