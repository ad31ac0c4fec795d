"""`paperdeck config path|show`: where the configuration lives and what paperdeck makes of it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from store import json_text
from store.settings import Settings
from tui.cli.parser import Subcommands


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("config", parents=[common], help="the configuration file")
    actions = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    for name, text in (("path", "where the file is"), ("show", "the settings in force")):
        c = actions.add_parser(name, parents=[common], help=text)
        c.add_argument("--json", action="store_true", help="print it as JSON")
    # No store needed, none opened: the configuration must be reachable when the store is not.
    p.set_defaults(run=cmd_config, needs_library=False)

    from tui.cli.completion import SHELLS

    p = sub.add_parser("completion", help="print a shell completion script")
    p.add_argument("shell", choices=SHELLS)
    p.set_defaults(run=cmd_completion, needs_library=False)


def cmd_config(args: argparse.Namespace, library: object) -> int:
    return run_config(
        args.config_command,
        path=args.settings_path,
        settings=args.settings,
        problems=args.settings_problems,
        as_json=args.json,
        out=sys.stdout,
    )


def cmd_completion(args: argparse.Namespace, library: object) -> int:
    from tui.cli.completion import completion_script

    sys.stdout.write(completion_script(args.parser, args.shell))
    return 0


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
        out.write(json_text.dumps(body) + "\n")
    else:
        state = "" if path.exists() else " (not created yet: these are the defaults)"
        out.write(f"# {path}{state}\n")
        out.write(settings_toml(settings))
    return 1 if problems else 0
