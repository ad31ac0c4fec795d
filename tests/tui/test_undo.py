"""Undo says precisely what it put back and what it left because another process changed it."""

from __future__ import annotations

from typing import Any

from store.library import Library
from tests.tui.pilot import SIZE, app_for, settle, stored, table
from tui.app import PaperdeckApp


def spy_notifications(app: PaperdeckApp) -> list[str]:
    said: list[str] = []
    real = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        said.append(message)
        real(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return said


async def test_undo_of_a_paper_changed_elsewhere_says_it_could_not(library: Library) -> None:
    app = app_for(library)
    said = spy_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        record = table(app).records[0]
        await pilot.press("t", *"mine", "enter")
        await settle(app, pilot)
        Library(library.root).add_tags([record.id], ["theirs"])  # the CLI, meanwhile
        await pilot.press("u")
        await settle(app, pilot)
    assert stored(library).states()[record.id].tags == ("mine", "theirs")  # left alone
    assert not any(message.startswith("Undid") for message in said), said
    assert any(
        message.startswith("Could not undo tags mine") and record.title[:30] in message
        for message in said
    ), said


async def test_undo_on_two_papers_names_the_one_it_left(library: Library) -> None:
    app = app_for(library)
    said = spy_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first, second = table(app).records[:2]
        await pilot.press("space", "space", "t", *"both", "enter")
        await settle(app, pilot)
        Library(library.root).set_status([second.id], "reading")
        await pilot.press("u")
        await settle(app, pilot)
    states = stored(library).states()
    assert states[first.id].tags == ()
    assert states[second.id].tags == ("both",) and states[second.id].status == "reading"
    line = next(m for m in said if m.startswith("Undid tags both"))
    assert "1 paper changed elsewhere" in line and second.title[:30] in line
    assert first.title[:30] not in line  # put back: not among those left


async def test_a_plain_undo_says_undid_after_it_is_done(library: Library) -> None:
    app = app_for(library)
    said = spy_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        record = table(app).records[0]
        await pilot.press("a")
        await settle(app, pilot)
        assert stored(library).queue_ids() == [record.id]
        await pilot.press("u")
        await settle(app, pilot)
    assert stored(library).queue_ids() == []
    assert said[-1] == "Undid queue."
