"""`paperdeck pull` (the daily listing from Hugging Face and arXiv) and `paperdeck inbox`."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from store.errors import UsageError
from store.library import Library
from tui.cli import output
from tui.cli.parser import Subcommands
from tui.text import plural

if TYPE_CHECKING:
    from store.inbox import Inboxes


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "pull",
        parents=[common],
        help="pull today's papers from Hugging Face (hf) or arXiv RSS (arxiv CAT ...)",
        description="With no source, pulls what PAPERDECK_PULL names (default: hf). "
        "`pull hf` pulls today (UTC) and every day missed since the last pull, at most 7.",
    )
    p.add_argument("source", nargs="?", choices=("hf", "arxiv"), help="hf or arxiv")
    p.add_argument(
        "categories", nargs="*", metavar="CAT", help="arXiv categories (cs.LG cs.CL or cs.LG+cs.CL)"
    )
    p.add_argument(
        "--date",
        action="append",
        default=[],
        metavar="YYYY-MM-DD",
        help="with hf: pull this day (repeatable) instead of today and the missed days",
    )
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(run=cmd_pull)

    p = sub.add_parser("inbox", parents=[common], help="saved searches that say what is new")
    inbox_sub = p.add_subparsers(dest="inbox_command", metavar="ACTION", required=True)
    q = inbox_sub.add_parser("add", parents=[common], help="save a search as an inbox")
    q.add_argument("name")
    q.add_argument("query", help="a query, as in `list --query` (quote it)")
    q.set_defaults(run=cmd_inbox_add)
    q = inbox_sub.add_parser("list", parents=[common], help="inboxes with their new papers")
    q.add_argument("--json", action="store_true", help="print a JSON array")
    # Counts come from a cache while the store is unchanged: no full check of the catalog.
    q.set_defaults(run=cmd_inbox_list, needs_store=False)
    q = inbox_sub.add_parser("remove", parents=[common], help="forget an inbox")
    q.add_argument("name")
    q.set_defaults(run=cmd_inbox_remove)


def _sources(args: argparse.Namespace) -> tuple[str, ...] | None:
    """What the command line asks for, or None for the configured sources."""
    if args.source == "arxiv":
        if not args.categories:
            raise UsageError("pull arxiv: name at least one category, such as cs.LG")
        if args.date:
            raise UsageError("pull arxiv: --date is for hf; an arXiv feed is always today's")
        return ("arxiv:" + "+".join(args.categories),)
    if args.categories:  # only `hf` can come before them: argparse refuses other words
        raise UsageError("pull hf: categories go with `pull arxiv`, e.g. pull arxiv cs.LG")
    if args.source == "hf":
        return ("hf",)
    if args.date:
        return ("hf",)
    return None


def cmd_pull(args: argparse.Namespace, library: Library) -> int:
    from store.pull.run import PullSettings, plan, pull

    # PAPERDECK_PULL wins over the configuration file's [pull] sources.
    settings = PullSettings.from_env(os.environ, args.settings.pull.sources)
    sources = _sources(args) or settings.sources
    today = datetime.now(UTC).date()
    targets = plan(library, sources, days=args.date, today=today)
    from tui.cli.fetch import _interrupt_flag

    try:
        with (
            output.progress_bar(sys.stderr, "Pulling") as progress,
            _interrupt_flag(sys.stderr) as interrupted,
        ):
            summary = pull(
                library,
                targets,
                settings=settings,
                progress=progress,
                cancelled=interrupted.is_set,
            )
    except KeyboardInterrupt:
        print("paperdeck: pull aborted; pages finished before that are saved.", file=sys.stderr)
        return 130
    if summary.sources and summary.new:
        _refresh_inbox_counts(library)
        from store.indexer import index_in_background

        if index_in_background(library):
            output.say("paperdeck: indexing abstracts in the background for word search")
    if args.json:
        output.print_json(summary.to_json())
    else:
        for report in summary.sources:
            if report.not_modified:
                line = "unchanged since the last pull"
            else:
                line = f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged"
                if report.skipped:
                    line += f", {report.skipped} skipped (revisions of papers you do not have)"
            print(f"{report.source}: {line}")
        if len(summary.sources) > 1:
            print(f"Pulled {plural(summary.new, 'new paper')} in all.")
    if summary.error:
        print(f"paperdeck: error: {summary.error}", file=sys.stderr)
    elif summary.cancelled:
        print("paperdeck: pull interrupted; pages finished before that are saved.", file=sys.stderr)
    return summary.exit_code


def _refresh_inbox_counts(library: Library) -> None:
    """After new papers arrive, count the inboxes now, so `inbox list` answers at once."""
    from store.errors import PaperdeckError
    from store.inbox import CountCache

    inboxes = inboxes_of(library)
    try:
        if inboxes.all():
            CountCache(library).counts(inboxes.all())
    except PaperdeckError as error:
        print(f"paperdeck: inbox counts not refreshed: {error}", file=sys.stderr)


def inboxes_of(library: Library) -> Inboxes:
    return library.inboxes()


def cmd_inbox_add(args: argparse.Namespace, library: Library) -> int:
    inbox = inboxes_of(library).add(args.name, args.query)
    print(f"inbox {inbox.name}: {inbox.query}")
    return 0


def cmd_inbox_remove(args: argparse.Namespace, library: Library) -> int:
    inbox = inboxes_of(library).remove(args.name)
    print(f"removed inbox {inbox.name}")
    return 0


def cmd_inbox_list(args: argparse.Namespace, library: Library) -> int:
    from store.inbox import CountCache

    inboxes = inboxes_of(library).all()
    counts = CountCache(library).counts(inboxes) if inboxes else []
    if args.json:
        output.print_json([c.to_json() for c in counts])
        return 0
    if not counts:
        print("No inboxes yet; `paperdeck inbox add NAME QUERY` saves a search as one.")
        return 0
    from tui.text import clean

    width = max(len(c.inbox.name) for c in counts)
    for c in counts:
        new = f"{c.new} new" if c.new else "-"
        print(
            f"{clean(c.inbox.name):<{width}}  {new:>8}  {c.total:>6} total  {clean(c.inbox.query)}"
        )
    return 0
