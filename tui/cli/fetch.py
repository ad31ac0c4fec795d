"""`paperdeck fetch` and `paperdeck auth`: the command-line faces of store.enrich.

Kept free of textual.  httpx, keyring and rich cost over 0.2 s to import, so store.enrich and
rich are imported inside the commands: other subcommands that import this module never pay.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from store import json_text
from store.errors import PaperdeckError
from store.models import Enrichment, Record
from tui.cli.output import say
from tui.cli.parser import Subcommands

if TYPE_CHECKING:
    from store.enrich.run import FetchSummary

MAX_FAILURES_SHOWN = 10


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("fetch", parents=[common], help="enrich papers from arXiv and GitHub")
    p.add_argument("--arxiv", action="store_true", help="arXiv metadata only")
    p.add_argument("--github", action="store_true", help="GitHub repositories only")
    p.add_argument("--query", "-q", default="", help="papers to enrich (default: all)")
    p.add_argument("--refresh", action="store_true", help="ask again for enriched papers")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(run=cmd_fetch)

    p = sub.add_parser("auth", parents=[common], help="store a GitHub token in the keyring")
    p.add_argument("service", choices=("github",))
    p.add_argument("--delete", action="store_true", help="remove the stored token")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(run=cmd_auth, needs_store=False)


def cmd_fetch(args: argparse.Namespace, library: EnrichableLibrary) -> int:
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


def cmd_auth(args: argparse.Namespace, library: object) -> int:
    return run_auth(
        args.service,
        delete=args.delete,
        stdin=sys.stdin,
        stdout=sys.stdout,
        stderr=sys.stderr,
        as_json=args.json,
    )


class EnrichableLibrary(Protocol):
    def records(self, query: str | None = None, sort: str | None = None) -> list[Record]: ...

    def save_enrichment(self, paper_id: str, enrichment: Enrichment) -> None: ...


def run_fetch(
    library: EnrichableLibrary,
    *,
    arxiv: bool,
    github: bool,
    query: str | None,
    refresh: bool,
    stdout: TextIO,
    stderr: TextIO,
    as_json: bool = False,
) -> int:
    from store.enrich.run import FetchSettings, fetch
    from store.enrich.token import lookup_github_token

    if not arxiv and not github:
        arxiv = github = True
    try:
        settings = FetchSettings.from_env(os.environ)
        records = library.records(query)
    except PaperdeckError as err:
        say(f"paperdeck: {err}", stderr)
        return err.exit_code

    token: str | None = None
    if github and any(record.paper.github for record in records):
        lookup = lookup_github_token(os.environ)
        token = lookup.token
        if lookup.problem:
            say(f"GitHub: {lookup.problem}; asking without a token.", stderr)

    try:
        with _progress_bar(stderr) as progress, _interrupt_flag(stderr) as interrupted:
            summary = fetch(
                records,
                arxiv=arxiv,
                github=github,
                refresh=refresh,
                settings=settings,
                token=token,
                save=library.save_enrichment,
                progress=progress,
                cancelled=interrupted.is_set,
            )
    except KeyboardInterrupt:
        print("Aborted; papers finished before that are saved.", file=stderr)
        return 130
    if as_json:
        stdout.write(json_text.dumps(summary_json(summary)) + "\n")
    else:
        _print_summary(summary, arxiv=arxiv, github=github, stdout=stdout, stderr=stderr)
    return summary.exit_code


def summary_json(summary: FetchSummary) -> dict[str, object]:
    """`fetch --json`: the counts, each failure and each service error (a token never is)."""
    from store.text import one_line

    return {
        "arxiv": {
            "matched": summary.matched,
            "not_found": summary.not_found,
            "failed": summary.failed,
            "skipped": summary.skipped,
        },
        "github": {
            "ok": summary.repos_ok,
            "not_found": summary.repos_not_found,
            "failed": summary.repos_failed,
            "skipped": summary.repos_skipped,
        },
        "failures": [
            {"id": f.paper_id, "source": one_line(f.what), "error": f.word}
            for f in summary.failures
        ],
        "service_errors": list(summary.service_errors),
        "cancelled": summary.cancelled,
        "exit_code": summary.exit_code,
    }


def _print_summary(
    summary: FetchSummary, *, arxiv: bool, github: bool, stdout: TextIO, stderr: TextIO
) -> None:
    from store.text import one_line as clean_text

    if arxiv:
        print(summary.arxiv_line(), file=stdout)
    if github:
        print(summary.github_line(), file=stdout)
    for failure in summary.failures[:MAX_FAILURES_SHOWN]:
        say(f"  {failure.paper_id}: {clean_text(failure.what)} {failure.word}", stderr)
    if len(summary.failures) > MAX_FAILURES_SHOWN:
        print(f"  ... and {len(summary.failures) - MAX_FAILURES_SHOWN} more", file=stderr)
    for line in summary.service_errors:
        say(line, stderr)
    if summary.cancelled:
        print("Interrupted; everything fetched so far is saved.", file=stderr)


@contextmanager
def _progress_bar(stream: TextIO) -> Iterator[Callable[[int, int, str], None] | None]:
    """A transient bar on a terminal; nothing at all when stderr is a file or a pipe."""
    if not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from store.text import one_line as clean_text

    bar = Progress(
        TextColumn("Fetching"),
        BarColumn(),
        MofNCompleteColumn(),
        # Titles are data: no markup, and control characters already stripped.
        TextColumn("{task.fields[title]}", markup=False),
        console=Console(file=stream),
        transient=True,
    )
    task = bar.add_task("fetch", total=None, title="")

    def update(done: int, total: int, label: str) -> None:
        bar.update(task, completed=done, total=total, title=clean_text(label, limit=50))

    with bar:
        yield update


@contextmanager
def _interrupt_flag(stderr: TextIO) -> Iterator[threading.Event]:
    """First Ctrl-C asks the run to stop after the current request; a second one aborts."""
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if flag.is_set():
            raise KeyboardInterrupt
        flag.set()
        print("\nStopping after the current request (Ctrl-C again to abort)...", file=stderr)

    previous: Any = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def run_auth(
    service: str,
    *,
    delete: bool,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    as_json: bool = False,
) -> int:
    """Store (or delete) the token; with `as_json` the outcome is one JSON object (never the
    token itself)."""
    if service != "github":
        print(f"paperdeck: unknown service {service!r}; only 'github' is supported", file=stderr)
        return 2
    from store.enrich.token import ENV_VAR, delete_github_token, store_github_token

    try:
        if delete:
            removed = delete_github_token()
            if as_json:
                stdout.write(json_text.dumps({"service": service, "deleted": removed}) + "\n")
            elif removed:
                print("Removed the GitHub token from the system keyring.", file=stdout)
            else:
                print("No GitHub token was stored in the system keyring.", file=stdout)
            return 0
        token = _read_token(stdin, stderr)
        if not token:
            print("paperdeck: no token given; nothing stored", file=stderr)
            return 2
        backend = store_github_token(token)
    except PaperdeckError as err:
        say(f"paperdeck: {err}", stderr)
        return err.exit_code
    overridden = bool(os.environ.get(ENV_VAR, "").strip())
    if as_json:
        body = {"service": service, "stored": True, "backend": backend, "env_overrides": overridden}
        stdout.write(json_text.dumps(body) + "\n")
        return 0
    print(f"Stored the GitHub token in the system keyring ({backend}).", file=stdout)
    if overridden:
        print(f"Note: {ENV_VAR} is set and takes precedence over the keyring.", file=stdout)
    return 0


def _read_token(stdin: TextIO, stderr: TextIO) -> str:
    if stdin.isatty():
        import getpass

        return getpass.getpass("GitHub token (input hidden): ", stream=stderr).strip()
    return stdin.readline().strip()
