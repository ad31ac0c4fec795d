"""Commands about the papers themselves: import, list, show, related, duplicates, merge."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from store.library import Library
from store.models import Record
from store.search.language import SORTS, all_of
from tui.cli import output
from tui.cli.parser import Subcommands, positive_int, year_value
from tui.text import clean, plural

if TYPE_CHECKING:
    from store.search.interest import Interest


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", parents=[common], help="import listing files or directories")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument(
        "--year",
        type=year_value,
        help="year of dates that carry none, for files that give no year anywhere",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("list", parents=[common], help="list papers matching a query")
    p.add_argument("--query", "-q", default="", help="query (see README: query syntax)")
    p.add_argument("--sort", choices=SORTS, help="order (default: relevance or date)")
    p.add_argument("--limit", "-n", type=positive_int, help="show at most N papers")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument(
        "--inbox",
        metavar="NAME",
        help="the papers of a saved search (`inbox list`); what it shows is no longer new",
    )
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("show", parents=[common], help="show one paper")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print the JSON record")
    p.set_defaults(run=cmd_show)

    p = sub.add_parser("related", parents=[common], help="papers similar to one paper")
    p.add_argument("id")
    p.add_argument("--limit", "-n", type=positive_int, default=5)
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(run=cmd_related)

    p = sub.add_parser("duplicates", parents=[common], help="papers with near-identical titles")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(run=cmd_duplicates)

    p = sub.add_parser("merge", parents=[common], help="merge a near-duplicate into a paper")
    p.add_argument("keep", help="the paper that stays")
    p.add_argument("drop", help="the duplicate: its tags, note and queue place move to KEEP")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=cmd_merge)


def cmd_import(args: argparse.Namespace, library: Library) -> int:
    from store.search.heap import keep_freed_memory

    keep_freed_memory()  # this process ends with the import (see store/search/heap.py)
    with output.progress_bar(sys.stderr, "Importing") as progress:
        report = library.import_files(args.paths, year=args.year, progress=progress)
    for warning in report.warnings:
        output.say(f"paperdeck: warning: {warning}")
    if report.new or report.merged:
        from store.indexer import index_in_background

        if index_in_background(library):
            output.say("paperdeck: indexing abstracts in the background for word search")
    if args.json:
        output.print_json(dataclasses.asdict(report))
        return 0
    print(
        f"Imported {report.listings} listings from {plural(len(report.files), 'file')}: "
        f"{report.new} new, {report.merged} merged, {report.unchanged} unchanged."
    )
    return 0


def cmd_list(args: argparse.Namespace, library: Library) -> int:
    if args.inbox:
        return _list_inbox(args, library)
    # The first --limit of everything that matches: the count says how many matched.
    records, matched = library.search(
        args.query,
        args.sort,
        args.limit,
        with_abstracts=args.json,
        scan=getattr(args, "scan", None),
    )
    if args.json:
        interest = library.interest()
        output.print_json([interest_json(r, interest) for r in library.with_citekeys(records)])
    else:
        # The ids, not the papers: building 100k papers would cost more than the search.
        count = library.paper_count()
        output.print_table(records, count, sys.stdout, matched=matched, all_ids=library.paper_ids)
    return 0


def interest_json(record: Record, interest: Interest) -> dict[str, object]:
    """The record's JSON with `interest` (0-1, higher = more likely wanted) and
    `interest_terms` (the paper's words that raised it most)."""
    data = record.to_json()
    data["interest"] = interest.interest(record.id)
    from store.search.decisions import document_of

    data["interest_terms"] = list(interest.why(document_of(record)))
    return data


def _list_inbox(args: argparse.Namespace, library: Library) -> int:
    """`list --inbox NAME`: the inbox's papers (narrowed by `--query`), new ones marked; the
    inbox counts as opened, so they are not new next time."""
    from store.inbox import CountCache, InboxCount, is_new
    from tui.cli.pull import inboxes_of

    inboxes = inboxes_of(library)
    inbox = inboxes.get(args.inbox)
    query = all_of(inbox.query, args.query)
    everything = library.records(query, args.sort, with_abstracts=args.json)
    new = [r for r in everything if is_new(r, inbox)]
    records = everything[: args.limit] if args.limit else everything
    opened = inboxes.mark_opened(inbox.name)
    if not args.query:
        CountCache(library).opened(InboxCount(inbox, len(everything), len(new)), opened)
    if args.json:
        fresh = {r.id for r in new}
        interest = library.interest()
        output.print_json([{**interest_json(r, interest), "new": r.id in fresh} for r in records])
    else:
        print(f"inbox {clean(inbox.name)}: {len(new)} new of {len(everything)}", file=sys.stderr)
        output.print_table(records, library.paper_count(), sys.stdout)
    return 0


def cmd_show(args: argparse.Namespace, library: Library) -> int:
    pid = library.resolve(args.id)
    keep = library.merged_into(pid)
    if keep is not None:
        output.say(f"paperdeck: {pid} was merged into {keep}; showing {keep}")
        pid = keep
    # A key is assigned the first time a paper is shown: it is what the user will cite.
    (record,) = library.with_citekeys([library.record(pid)])
    if args.json:
        output.print_json(record.to_json())
    else:
        output.print_record(record, sys.stdout)
    return 0


def cmd_related(args: argparse.Namespace, library: Library) -> int:
    from store.search.related import RelatedIndex

    pid = library.resolve(args.id)
    records = library.all_records()
    by_id = {r.id: r for r in records}
    related = RelatedIndex(records).related(pid, args.limit)
    if args.json:
        output.print_json(
            [
                {**by_id[r.paper].to_json(), "score": r.score, "shared_terms": list(r.shared)}
                for r in related
            ]
        )
    else:
        output.print_table(
            [by_id[r.paper] for r in related], len(records), sys.stdout, all_ids=by_id.keys
        )
    return 0


def cmd_duplicates(args: argparse.Namespace, library: Library) -> int:
    from store.search.related import near_duplicates

    records = library.all_records(with_abstracts=False)
    by_id = {r.id: r for r in records}
    pairs = near_duplicates(records)
    if args.json:
        output.print_json([{"keep": d.keep, "drop": d.drop, "score": d.score} for d in pairs])
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
        output.print_json(
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
