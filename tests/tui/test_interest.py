"""The interest ranking in the app: triage follows it after 20 decisions, says why before, and
retrains after every decision without blocking."""

from __future__ import annotations

import re

from store.library import Library
from store.search.decisions import pile_order
from tests.tui.pilot import SIZE, app_for, settle, stored, table

PLANTED = re.compile(r"auto-?regressive", re.IGNORECASE)


def decide(library: Library, wanted: int, dismissed: int) -> None:
    records = library.all_records()
    yes = [r.id for r in records if PLANTED.search(r.title)][:wanted]
    no = [r.id for r in records if not PLANTED.search(r.title + r.paper.abstract)][:dismissed]
    library.add_tags(yes, ["keep"])
    library.set_triaged(yes)  # decided: out of the triage pile
    library.dismiss(no)


async def test_triage_follows_interest_after_twenty_decisions(library: Library) -> None:
    decide(library, wanted=6, dismissed=14)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        screen = app.screen
        interest = app.desk.view.interest
        assert interest is not None and interest.decisions == 20
        pile = screen.pile  # type: ignore[attr-defined]
        records = [app.desk.view.get(pid) for pid in pile]
        assert pile == pile_order(records, interest, "interest")[0]
        assert pile != pile_order(records, interest, "upvotes")[0]
        assert all(PLANTED.search(r.title) for r in records[:3])  # what the reader keeps
        progress = str(screen.query_one("#triage-progress").render())
        assert "by your interest, learned from 20 decisions" in progress
        meta = str(screen.query_one("#triage-meta").render())
        why = re.search(r"why  (.+)", meta)
        assert why is not None
        first = records[0]
        text = f"{first.title} {library.abstract(first.id)}".casefold()
        assert all(word in text for word in why.group(1).split(", "))

        await pilot.press("x")  # dismiss: its own status, and the model learns from it
        await settle(app, pilot)
        assert stored(library).states()[pile[0]].status == "dismissed"
        assert app.desk.view.interest is not None and app.desk.view.interest.decisions == 21
        await pilot.press("u")
        await settle(app, pilot)
        assert stored(library).states()[pile[0]].status == "unread"
        assert app.desk.view.interest.decisions == 20


async def test_triage_by_upvotes_until_twenty_decisions_and_says_so(library: Library) -> None:
    decide(library, wanted=3, dismissed=16)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        screen = app.screen
        pile = screen.pile  # type: ignore[attr-defined]
        records = [app.desk.view.get(pid) for pid in pile]
        assert pile == pile_order(records, None, "upvotes")[0]
        progress = str(screen.query_one("#triage-progress").render())
        assert "by upvotes: your interest orders the pile after 20 decisions (19 so far)" in (
            progress
        )


async def test_uncertain_order_and_the_interest_sort(library: Library) -> None:
    decide(library, wanted=6, dismissed=14)
    app = app_for(library, triage="", triage_order="uncertain")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert type(screen).__name__ == "TriageScreen"
        assert "least certain first" in str(screen.query_one("#triage-progress").render())
        await pilot.press("O")  # the next order, for the papers still to come
        await settle(app, pilot)
        assert "most upvoted first" in str(screen.query_one("#triage-progress").render())
        pile = screen.pile  # type: ignore[attr-defined]
        records = [app.desk.view.get(pid) for pid in pile]
        assert pile == pile_order(records, None, "upvotes")[0]
        await pilot.press("escape")
        await settle(app, pilot)
        app.sort = "interest"
        await settle(app, pilot)
        top = app.desk.view.search("", "interest")[:3]
        assert all(PLANTED.search(r.title) for r in top)
        await pilot.press("enter")  # the abstract view of the first paper says why
        await settle(app, pilot)
        meta = str(app.screen.query_one("#abstract-meta").render())
        why = re.search(r"why  (.+)", meta)
        assert type(app.screen).__name__ == "AbstractScreen" and why is not None
        shown = app.desk.view.get(app.screen.paper_id)  # type: ignore[attr-defined]
        text = f"{shown.title} {library.abstract(shown.id)}".casefold()
        assert all(word in text for word in why.group(1).split(", ")), (shown.title, why)


async def test_no_model_is_read_until_triage_or_the_interest_sort_asks(library: Library) -> None:
    """Reading every paper into the model takes a minute at 100k papers: a session that only
    browses and searches never pays it; triage (or the interest sort) starts it."""
    decide(library, wanted=6, dismissed=14)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"model", "enter")
        await settle(app, pilot)
        app.desk.view.apply(library.add_tags([app.desk.view.search("")[0].id], ["kept"]))
        app.desk.records_changed.publish([])
        await settle(app, pilot)
        assert app.desk.view.interest is None  # nothing asked for it
        app.sort = "interest"
        await settle(app, pilot)
        assert app.desk.view.interest is not None and app.desk.view.interest.trained
        top = [r.id for r in table(app).records[:3]]
        assert top == [r.id for r in app.desk.view.search("model", "interest")[:3]]
