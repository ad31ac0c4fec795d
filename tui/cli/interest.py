"""`paperdeck interest` and `paperdeck dismiss`: what the reader's decisions taught the ranking."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from store.library import Library
from tui.cli import output
from tui.cli.parser import Subcommands, positive_int
from tui.text import clean, plural

if TYPE_CHECKING:
    from store.search.interest import Term


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("interest", parents=[common], help="the terms your decisions made strongest")
    p.add_argument("--limit", "-n", type=positive_int, default=15, help="terms of each kind")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.add_argument(
        "--reset",
        action="store_true",
        help="forget the model: decisions stay, only those made from now on will train it",
    )
    p.set_defaults(run=cmd_interest)

    p = sub.add_parser("dismiss", parents=[common], help="mark papers not interesting")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(run=cmd_dismiss)


def _terms(terms: list[Term]) -> list[dict[str, object]]:
    return [{"term": t.name, "weight": t.weight} for t in terms]


def cmd_interest(args: argparse.Namespace, library: Library) -> int:
    if args.reset:
        stamp = library.reset_interest()
        if args.json:
            output.print_json({"reset": stamp})
        else:
            print(f"interest: forgotten at {stamp}; your decisions stay, new ones train it again")
        return 0
    interest = library.interest()
    positive, negative = interest.strongest(args.limit)
    if args.json:
        output.print_json(
            {
                "decisions": interest.decisions,
                "wanted": interest.wanted,
                "reset": library.interest_reset_at(),
                "positive": _terms(positive),
                "negative": _terms(negative),
            }
        )
        return 0
    print(
        f"interest: learned from {interest.decisions} decisions "
        f"({interest.wanted} wanted, {interest.decisions - interest.wanted} dismissed)"
    )
    if not interest.trained:
        print("  queue, tag, note or read some papers and dismiss others to teach it")
        return 0
    from store.search.interest import MIN_DECISIONS  # with the ranking's model: not on `--help`

    if interest.decisions < MIN_DECISIONS:
        print(f"  (triage orders by upvotes until {MIN_DECISIONS} decisions)")
    for title, terms in (("raise a paper", positive), ("lower a paper", negative)):
        print(f"\n{title}:")
        for term in terms:
            print(f"  {term.weight:+.3f}  {clean(term.name)}")
    return 0


def cmd_dismiss(args: argparse.Namespace, library: Library) -> int:
    ids = [library.resolve(ref) for ref in args.ids]
    library.dismiss(ids)
    print(f"dismissed {plural(len(ids), 'paper')}: {' '.join(ids)}")
    return 0
