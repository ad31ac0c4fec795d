"""Commands that change what the user did with papers: tag, note, queue, mark."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from store.errors import UsageError
from store.library import Library
from store.models import STATUSES, Change
from tui.cli import output
from tui.cli.parser import Subcommands
from tui.text import plural


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("tag", parents=[common], help="add (or --remove) tags")
    p.add_argument("id")
    p.add_argument("tags", nargs="+", metavar="TAG")
    p.add_argument("--remove", action="store_true", help="remove the tags instead")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=cmd_tag)

    p = sub.add_parser("note", parents=[common], help="set a paper's note")
    p.add_argument("id")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--text", "-t", help="the note's text (else stdin when piped)")
    source.add_argument("--edit", "-e", action="store_true", help="edit the note in $EDITOR")
    source.add_argument("--clear", action="store_true", help="empty the note")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=cmd_note)

    p = sub.add_parser("queue", parents=[common], help="the reading queue")
    queue_sub = p.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
    for name, text in (("add", "add papers to the queue"), ("remove", "take papers off it")):
        q = queue_sub.add_parser(name, parents=[common], help=text)
        q.add_argument("ids", nargs="+", metavar="ID")
        q.add_argument("--json", action="store_true", help="print the queue as JSON")
    q = queue_sub.add_parser("list", parents=[common], help="the queue in order")
    q.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(run=cmd_queue)

    p = sub.add_parser("mark", parents=[common], help="set reading status")
    p.add_argument("id")
    p.add_argument("status", choices=STATUSES)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=cmd_mark)


def followed(change: Change, pid: str) -> str:
    """Where a change to `pid` landed; said on stdout when the user had merged `pid` away."""
    target = change.followed.get(pid, pid)
    if target != pid:
        print(f"{pid} was merged into {target}; the change went to {target}")
    return target


def cmd_tag(args: argparse.Namespace, library: Library) -> int:
    pid = library.resolve(args.id)
    if args.remove:
        change = library.remove_tags([pid], args.tags)
    else:
        change = library.add_tags([pid], args.tags)
    pid = followed(change, pid)
    tags = change.after[pid].tags
    if args.json:
        output.print_json({"id": pid, "tags": list(tags)})
        return 0
    output.say(f"{pid}: tags {', '.join(tags) if tags else '(none)'}", sys.stdout)
    return 0


def cmd_note(args: argparse.Namespace, library: Library) -> int:
    pid = library.resolve(args.id)
    if args.clear:
        text = ""
    elif args.text is not None:
        text = args.text
    elif args.edit:
        text = _edit_in_editor(library.get(pid).state.note, pid)
    elif not sys.stdin.isatty():
        text = sys.stdin.read()
        if not text.strip():
            # A script reading an empty file or /dev/null must not erase what the user wrote.
            raise UsageError(
                "note: standard input was empty, so the note was left as it was; "
                'to clear a note, use --clear or --text ""'
            )
    else:
        raise UsageError("note: give the note with --text, pipe it on stdin, or use --edit")
    pid = followed(library.set_note(pid, text), pid)
    if args.json:
        output.print_json({"id": pid, "characters": len(text)})
        return 0
    print(f"{pid}: note saved ({len(text)} characters)" if text else f"{pid}: note cleared")
    return 0


def _edit_in_editor(current: str, pid: str) -> str:
    import shlex
    import subprocess
    import tempfile  # these three only to start an editor

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w", suffix=f"-{pid}.md", delete=False) as handle:
        handle.write(current)
        path = Path(handle.name)
    try:
        result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        if result.returncode != 0:
            raise UsageError(f"note: {editor} exited with status {result.returncode}; not saved")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"note: editor {editor!r} not found; set $EDITOR") from None
    finally:
        path.unlink(missing_ok=True)


def cmd_queue(args: argparse.Namespace, library: Library) -> int:
    if args.queue_command == "list":
        records = library.records("is:queued")
        if args.json:
            output.print_json([r.to_json() for r in records])
        else:
            output.print_table(
                records,
                library.paper_count(),
                sys.stdout,
                queue=True,
                all_ids=library.paper_ids,
            )
        return 0
    ids = [library.resolve(ref) for ref in args.ids]
    if args.queue_command == "add":
        change = library.queue_add(ids)
    else:
        change = library.queue_remove(ids)
    for pid in ids:
        followed(change, pid)
    if args.json:
        output.print_json({"queue": list(change.queue_after or ())})
        return 0
    print(f"queue: {plural(len(change.queue_after or ()), 'paper')}")
    return 0


def cmd_mark(args: argparse.Namespace, library: Library) -> int:
    pid = library.resolve(args.id)
    pid = followed(library.set_status([pid], args.status), pid)
    if args.json:
        output.print_json({"id": pid, "status": args.status})
        return 0
    print(f"{pid}: {args.status}")
    return 0
