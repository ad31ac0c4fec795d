"""The `paperdeck` command: argparse and dispatch.

Only `paperdeck` with no subcommand imports textual; every other command stays light so that
scripts start fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from store.errors import PaperdeckError, UsageError
from store.export.formats import FORMATS, SUFFIXES
from store.library import Library
from store.models import STATUSES
from store.paths import bundled_seeds, data_directory
from store.search.query import SORTS
from store.settings import Settings, config_path, load_settings
from tui.cli import output as cli_output
from tui.text import clean

Handler = Callable[[argparse.Namespace, Library], int]


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"paperdeck: error: {message} (see `{self.prog} --help`)\n")


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of 1 or more, got {value}")
    return number


def year_value(value: str) -> int:
    if not value.isdigit() or not 1900 <= int(value) <= 2999:
        raise argparse.ArgumentTypeError(f"expected a year such as 2025, got {value!r}")
    return int(value)


def _json_flag(p: argparse.ArgumentParser, what: str = "print the result as JSON") -> None:
    p.add_argument("--json", action="store_true", help=what)


def build_parser() -> ArgumentParser:
    common = ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="data directory (default: $PAPERDECK_HOME, else the platform's user data dir)",
    )
    parser = ArgumentParser(
        prog="paperdeck",
        description="A keyboard-driven reading desk for research papers. "
        "With no command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"paperdeck {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)

    p = sub.add_parser("import", parents=[common], help="import listing files or directories")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument(
        "--year",
        type=year_value,
        help="year of dates that carry none, for files that give no year anywhere",
    )
    _json_flag(p)

    p = sub.add_parser("list", parents=[common], help="list papers matching a query")
    p.add_argument("--query", "-q", default="", help="query (see README: query syntax)")
    p.add_argument("--sort", choices=SORTS, help="order (default: relevance or date)")
    p.add_argument("--limit", "-n", type=positive_int, help="show at most N papers")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = sub.add_parser("show", parents=[common], help="show one paper")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print the JSON record")

    p = sub.add_parser("tag", parents=[common], help="add (or --remove) tags")
    p.add_argument("id")
    p.add_argument("tags", nargs="+", metavar="TAG")
    p.add_argument("--remove", action="store_true", help="remove the tags instead")
    _json_flag(p)

    p = sub.add_parser("note", parents=[common], help="set a paper's note")
    p.add_argument("id")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--text", "-t", help="the note's text (else stdin when piped)")
    source.add_argument("--edit", "-e", action="store_true", help="edit the note in $EDITOR")
    _json_flag(p)

    p = sub.add_parser("queue", parents=[common], help="the reading queue")
    queue_sub = p.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
    for name, text in (("add", "add papers to the queue"), ("remove", "take papers off it")):
        q = queue_sub.add_parser(name, parents=[common], help=text)
        q.add_argument("ids", nargs="+", metavar="ID")
        _json_flag(q)
    q = queue_sub.add_parser("list", parents=[common], help="the queue in order")
    q.add_argument("--json", action="store_true", help="print a JSON array")

    p = sub.add_parser("mark", parents=[common], help="set reading status")
    p.add_argument("id")
    p.add_argument("status", choices=STATUSES)
    _json_flag(p)

    p = sub.add_parser(
        "export", parents=[common], help="export notes (Markdown, BibTeX, CSL-JSON, RIS, JSON)"
    )
    p.add_argument("--query", "-q", default="", help="papers to export (default: all)")
    p.add_argument("--all", action="store_true", help="every matched paper, not only noted ones")
    dest = p.add_mutually_exclusive_group()
    dest.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    dest.add_argument("--dir", type=Path, metavar="DIR", help="one Markdown file per paper")
    dest.add_argument(
        "--stdout", action="store_true", help="print, even when an export directory is set"
    )
    p.add_argument(
        "--format", "-f", choices=FORMATS, help="md, bib, csl, ris or json (default: md)"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    _json_flag(p, "report what was written as JSON")

    p = sub.add_parser("fetch", parents=[common], help="enrich papers from arXiv and GitHub")
    p.add_argument("--arxiv", action="store_true", help="arXiv metadata only")
    p.add_argument("--github", action="store_true", help="GitHub repositories only")
    p.add_argument("--query", "-q", default="", help="papers to enrich (default: all)")
    p.add_argument("--refresh", action="store_true", help="ask again for enriched papers")
    _json_flag(p, "print the summary as JSON")

    p = sub.add_parser("auth", parents=[common], help="store a GitHub token in the keyring")
    p.add_argument("service", choices=("github",))
    p.add_argument("--delete", action="store_true", help="remove the stored token")

    p = sub.add_parser("triage", parents=[common], help="open the app in triage mode")
    p.add_argument("--query", "-q", default="", help="triage only papers matching this")

    p = sub.add_parser("related", parents=[common], help="papers similar to one paper")
    p.add_argument("id")
    p.add_argument("--limit", "-n", type=positive_int, default=5)
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = sub.add_parser("duplicates", parents=[common], help="papers with near-identical titles")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = sub.add_parser("merge", parents=[common], help="merge a near-duplicate into a paper")
    p.add_argument("keep", help="the paper that stays")
    p.add_argument("drop", help="the duplicate: its tags, note and queue place move to KEEP")
    _json_flag(p)

    p = sub.add_parser("doctor", parents=[common], help="check (or --restore) the store files")
    p.add_argument("--restore", action="store_true", help="restore the newest good backups")
    _json_flag(p, "print the findings as JSON")

    p = sub.add_parser("rekey", parents=[common], help="make citation keys anew (on request only)")
    p.add_argument("--query", "-q", default="", help="papers to re-key (default: all)")
    _json_flag(p, "print the keys that changed as JSON")

    p = sub.add_parser("config", parents=[common], help="the configuration file")
    config_sub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    c = config_sub.add_parser("path", parents=[common], help="where the file is")
    _json_flag(c)
    c = config_sub.add_parser("show", parents=[common], help="the settings in force")
    _json_flag(c)

    from tui.cli.completion import SHELLS

    p = sub.add_parser("completion", help="print a shell completion script")
    p.add_argument("shell", choices=SHELLS)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paperdeck")
    except PackageNotFoundError:
        return "dev"


# -- commands ----------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace, library: Library) -> int:
    with cli_output.progress_bar(sys.stderr, "Importing") as progress:
        report = library.import_files(args.paths, year=args.year, progress=progress)
    if args.json:
        _print_json(dataclasses.asdict(report))
        return 0
    print(
        f"Imported {report.listings} listings from {len(report.files)} file(s): "
        f"{report.new} new, {report.merged} merged, {report.unchanged} unchanged."
    )
    return 0


def cmd_list(args: argparse.Namespace, library: Library) -> int:
    records = library.records(
        args.query,
        args.sort,
        args.limit,
        with_abstracts=args.json,
        scan=getattr(args, "scan", None),
    )
    if args.json:
        _print_json([r.to_json() for r in library.with_citekeys(records)])
    else:
        total = len(library.papers())
        cli_output.print_table(records, total, sys.stdout)
    return 0


def cmd_show(args: argparse.Namespace, library: Library) -> int:
    (record,) = library.with_citekeys([library.get(args.id)])
    if args.json:
        _print_json(record.to_json())
    else:
        cli_output.print_record(record, sys.stdout)
    return 0


def cmd_tag(args: argparse.Namespace, library: Library) -> int:
    pid = library.resolve(args.id)
    if args.remove:
        change = library.remove_tags([pid], args.tags)
    else:
        change = library.add_tags([pid], args.tags)
    tags = change.after[pid].tags
    if args.json:
        _print_json({"id": pid, "tags": list(tags)})
        return 0
    print(f"{pid}: tags {', '.join(tags) if tags else '(none)'}")
    return 0


def cmd_note(args: argparse.Namespace, library: Library) -> int:
    pid = library.resolve(args.id)
    if args.text is not None:
        text = args.text
    elif args.edit:
        text = _edit_in_editor(library.get(pid).state.note, pid)
    elif not sys.stdin.isatty():
        text = sys.stdin.read()
    else:
        raise UsageError("note: give the note with --text, pipe it on stdin, or use --edit")
    library.set_note(pid, text)
    if args.json:
        _print_json({"id": pid, "characters": len(text)})
        return 0
    print(f"{pid}: note saved ({len(text)} characters)")
    return 0


def _edit_in_editor(current: str, pid: str) -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w", suffix=f"-{pid}.md", delete=False) as handle:
        handle.write(current)
        path = Path(handle.name)
    try:
        import shlex

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
            _print_json([r.to_json() for r in records])
        else:
            cli_output.print_table(records, len(library.papers()), sys.stdout, queue=True)
        return 0
    ids = [library.resolve(ref) for ref in args.ids]
    if args.queue_command == "add":
        change = library.queue_add(ids)
    else:
        change = library.queue_remove(ids)
    if args.json:
        _print_json({"queue": list(change.queue_after or ())})
        return 0
    print(f"queue: {len(change.queue_after or ())} paper(s)")
    return 0


def cmd_mark(args: argparse.Namespace, library: Library) -> int:
    pid = library.resolve(args.id)
    library.set_status([pid], args.status)
    if args.json:
        _print_json({"id": pid, "status": args.status})
        return 0
    print(f"{pid}: {args.status}")
    return 0


def cmd_export(args: argparse.Namespace, library: Library) -> int:
    from datetime import datetime

    from store.export import write
    from store.export.render import render

    settings: Settings = args.settings
    fmt = args.format or settings.export.format
    records = library.with_citekeys(library.records(args.query))
    now = datetime.now().astimezone()
    directory = args.dir
    output = args.output
    if directory is None and output is None and not args.stdout and settings.export.directory:
        # The configured export folder: one file per paper for Markdown, else one file there
        # that paperdeck owns and replaces.
        if fmt == "md":
            directory = settings.export.directory
        else:
            output = settings.export.directory / f"paperdeck{SUFFIXES[fmt]}"
            args.force = True
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise UsageError(
                    f"export: cannot create {output.parent} ({error.strerror or error}); "
                    "fix export.directory in `paperdeck config path`"
                ) from None
    if directory is not None:
        if not args.all:
            records = [r for r in records if r.state.note.strip()]
        report = write.export_dir(records, directory, now=now, force=args.force)
        if args.json:
            _print_json(
                {
                    "directory": str(directory),
                    "written": [str(p) for p in report.written],
                    "updated": [str(p) for p in report.updated],
                    "unchanged": [str(p) for p in report.unchanged],
                    "skipped": [{"path": str(p), "reason": r} for p, r in report.skipped],
                }
            )
            return 0
        for path, reason in report.skipped:
            print(f"paperdeck: skipped {path}: {reason}", file=sys.stderr)
        print(
            f"{directory}: {len(report.written)} written, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped",
            file=sys.stderr,
        )
        return 0
    if output is not None:
        path = write.export_file(
            fmt, records, output, now=now, include_all=args.all, force=args.force
        )
        if args.json:
            _print_json({"path": str(path), "format": fmt, "papers": len(records)})
        else:
            print(f"wrote {path}", file=sys.stderr)
        return 0
    sys.stdout.write(render(fmt, records, now=now, include_all=args.all))
    return 0


def cmd_fetch(args: argparse.Namespace, library: Library) -> int:
    from tui.cli.fetch import run_fetch

    both = not args.arxiv and not args.github
    return run_fetch(
        library,
        arxiv=args.arxiv or both,
        github=args.github or both,
        query=args.query or None,
        refresh=args.refresh,
        stdout=sys.stdout,
        stderr=sys.stderr,
        as_json=args.json,
    )


def cmd_auth(args: argparse.Namespace, library: Library) -> int:
    from tui.cli.fetch import run_auth

    return run_auth(
        args.service, delete=args.delete, stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr
    )


def cmd_doctor(args: argparse.Namespace, library: Library) -> int:
    from tui.cli.doctor import run_doctor

    return run_doctor(library, restore=args.restore, out=sys.stdout, as_json=args.json)


def cmd_related(args: argparse.Namespace, library: Library) -> int:
    from store.search.related import RelatedIndex

    pid = library.resolve(args.id)
    records = library.all_records()
    by_id = {r.id: r for r in records}
    related = RelatedIndex(records).related(pid, args.limit)
    if args.json:
        _print_json(
            [
                {**by_id[r.paper].to_json(), "score": r.score, "shared_terms": list(r.shared)}
                for r in related
            ]
        )
    else:
        cli_output.print_table([by_id[r.paper] for r in related], len(records), sys.stdout)
    return 0


def cmd_duplicates(args: argparse.Namespace, library: Library) -> int:
    from store.search.related import near_duplicates

    records = library.all_records(with_abstracts=False)
    by_id = {r.id: r for r in records}
    pairs = near_duplicates(records)
    if args.json:
        _print_json([{"keep": d.keep, "drop": d.drop, "score": d.score} for d in pairs])
        return 0
    for pair in pairs:
        print(
            f"{pair.keep}  {clean(by_id[pair.keep].title)}\n{pair.drop}  "
            f"{clean(by_id[pair.drop].title)}\n  similarity {pair.score}: "
            f"paperdeck merge {pair.keep} {pair.drop}\n"
        )
    if not pairs:
        print("No near-duplicate titles.")
    return 0


def cmd_merge(args: argparse.Namespace, library: Library) -> int:
    keep, drop = library.resolve(args.keep), library.resolve(args.drop)
    library.merge_user_state(keep, drop)
    if args.json:
        kept = library.record(keep)
        _print_json(
            {
                "kept": keep,
                "dropped": drop,
                "citekey": kept.citekey,
                "citekey_aliases": list(kept.citekey_aliases),
            }
        )
        return 0
    print(f"merged {drop} into {keep}; {drop} is hidden from lists")
    return 0


def cmd_rekey(args: argparse.Namespace, library: Library) -> int:
    records = library.records(args.query)
    before = {r.id: r.citekey for r in records}
    changed = [
        {"id": r.id, "citekey": r.citekey, "previous": before[r.id]}
        for r in library.with_citekeys(records, rekey=True)
        if r.citekey != before[r.id]
    ]
    if args.json:
        _print_json(changed)
        return 0
    for row in changed:
        was = f"{row['previous']} -> " if row["previous"] else "(new) "
        print(f"{row['id']}  {was}{row['citekey']}")
    print(
        f"{len(changed)} of {len(records)} key(s) changed; old keys stay as aliases.",
        file=sys.stderr,
    )
    return 0


def cmd_app(args: argparse.Namespace, library: Library) -> int:
    from tui.app import run_app

    return run_app(library, seeds=bundled_seeds())


def cmd_triage(args: argparse.Namespace, library: Library) -> int:
    from tui.app import run_app

    return run_app(library, seeds=bundled_seeds(), triage=args.query)


COMMANDS: dict[str | None, Handler] = {
    None: cmd_app,
    "import": cmd_import,
    "list": cmd_list,
    "show": cmd_show,
    "tag": cmd_tag,
    "note": cmd_note,
    "queue": cmd_queue,
    "mark": cmd_mark,
    "export": cmd_export,
    "fetch": cmd_fetch,
    "auth": cmd_auth,
    "doctor": cmd_doctor,
    "triage": cmd_triage,
    "related": cmd_related,
    "duplicates": cmd_duplicates,
    "merge": cmd_merge,
    "rekey": cmd_rekey,
}
# Commands that need a usable store before they run; doctor and auth must work without one.
CHECKS_STORE = {
    "import",
    "list",
    "show",
    "tag",
    "note",
    "queue",
    "mark",
    "export",
    "fetch",
    "related",
    "duplicates",
    "merge",
    "rekey",
}


def _print_json(value: object, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    out.write(json.dumps(value, ensure_ascii=False, indent=2))
    out.write("\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "completion":
        from tui.cli.completion import completion_script

        sys.stdout.write(completion_script(parser, args.shell))
        return 0
    settings_path = config_path(os.environ)
    settings, problems = load_settings(settings_path)
    for problem in problems:
        print(f"paperdeck: warning: {problem}", file=sys.stderr)
    if args.command == "config":
        from tui.cli.config import run_config

        return run_config(
            args.config_command,
            path=settings_path,
            settings=settings,
            problems=problems,
            as_json=args.json,
            out=sys.stdout,
        )
    args.settings = settings
    root = data_directory(getattr(args, "db", None), os.environ)
    scan = None
    try:
        library = Library.open(root, citekey_pattern=settings.citekey.pattern)
        if args.command == "list" and args.query and not args.json:
            # Abstracts are searched on the other core while this one reads the catalog.
            scan = args.scan = library.scan_abstracts(args.query)
        if args.command in CHECKS_STORE:
            library.check_usable()
        return COMMANDS[args.command](args, library)
    except PaperdeckError as error:
        print(f"paperdeck: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("paperdeck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `paperdeck list | head`: the reader left; say nothing more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        if scan is not None:
            scan.close()


if __name__ == "__main__":
    sys.exit(main())
