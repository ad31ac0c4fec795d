"""`paperdeck doctor`: check every store file and the journal; `--restore` rebuilds the user
state from the journal (every acknowledged change) or, for the other files, the newest good
backup."""

from __future__ import annotations

import argparse
import io
import sys
from typing import TextIO

from store import json_text
from store.files.storage import StoreFile
from store.library import Library
from store.sync.journal import JournalError
from tui.cli.output import say
from tui.cli.parser import Subcommands
from tui.text import plural


def run_doctor(library: Library, *, restore: bool, out: TextIO, as_json: bool = False) -> int:
    """Check (and with `restore` repair) the store; with `as_json` the report is one JSON
    object: `exit_code` and `findings`, one {`subject`, `finding`} per line of the report."""
    if not as_json:
        return _doctor(library, restore, out)
    report = io.StringIO()
    code = _doctor(library, restore, report)
    findings = []
    for line in report.getvalue().splitlines():
        subject, _, finding = line.partition(": ")
        findings.append({"subject": subject, "finding": finding} if finding else {"finding": line})
    out.write(json_text.dumps({"exit_code": code, "findings": findings}) + "\n")
    return code


def _doctor(library: Library, restore: bool, out: TextIO) -> int:
    problems = 0
    journal_usable = _check_journal(library, out)
    if not journal_usable:
        problems += 1
    for store_file, problem in library.check():
        name = store_file.path.name
        if problem is None and store_file is library.state_file and library.state_missing():
            problem = "missing, though the journal holds user state (tags, notes, queue)"
        if problem is None:
            state = "ok" if store_file.path.exists() else "ok (not created yet)"
            say(f"{name}: {state}", out)
            continue
        problems += 1
        say(f"{name}: {'MISSING' if not store_file.path.exists() else 'DAMAGED'}: {problem}", out)
        if not restore:
            continue
        if store_file is library.state_file and journal_usable and library.journal.exists():
            report = library.restore_state()
            kept = f"; the damaged file is kept as {report.aside}" if report.aside else ""
            say(
                f"{name}: rebuilt from the journal "
                f"({plural(report.changes, 'paper')} with user state){kept}",
                out,
            )
            problems -= 1
            continue
        if _restore_backup(library, store_file, out):
            problems -= 1
    if problems:
        say(
            f"{plural(problems, 'problem')}. Run `paperdeck doctor --restore` to repair them."
            if not restore
            else f"{plural(problems, 'file')} could not be restored.",
            out,
        )
        return 1
    return 0


def _check_journal(library: Library, out: TextIO) -> bool:
    journal = library.journal
    if not journal.exists():
        say("journal: ok (starts with the next change)", out)
        return True
    try:
        replica = journal.replica()
    except JournalError as error:
        say(f"journal: DAMAGED: {error}", out)
        return False
    say(
        f"journal: ok ({plural(len(replica.papers), 'paper')} with changes, "
        f"{journal.size() / 1e6:.1f} MB, device {journal.device})",
        out,
    )
    return True


NO_BACKUP = {
    "catalog": "re-import your listings with `paperdeck import`",
    "abstracts": "re-import your listings with `paperdeck import`",
    "citekeys": "move FILE aside: every paper then gets a key again at the next export "
    "(keys cited before may change)",
    "enrichment": "move FILE aside and run `paperdeck fetch` again",
    "inboxes": "move FILE aside and save your searches again (`paperdeck inbox add`)",
}
"""What to do about a damaged file with no good backup, by kind (FILE: its path)."""


def _restore_backup(library: Library, store_file: StoreFile, out: TextIO) -> bool:
    name = store_file.path.name
    backup = library.good_backup(store_file)
    if backup is None:
        hint = NO_BACKUP.get(store_file.kind, "no backup to restore from")
        say(f"{name}: no good backup found; {hint}".replace("FILE", str(store_file.path)), out)
        return False
    aside = library.restore(store_file, backup)
    kept = f"; the damaged file is kept as {aside}" if aside.exists() else ""
    say(f"{name}: restored from {backup}{kept}", out)
    return True


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("doctor", parents=[common], help="check (or --restore) the store files")
    p.add_argument(
        "--restore",
        action="store_true",
        help="rebuild a damaged or missing state.json from the journal (else restore backups)",
    )
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.set_defaults(run=cmd_doctor, needs_store=False)


def cmd_doctor(args: argparse.Namespace, library: Library) -> int:
    return run_doctor(library, restore=args.restore, out=sys.stdout, as_json=args.json)
