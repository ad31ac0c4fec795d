"""How each screen looks at 120x40 on the bundled seeds (SVG snapshots in __snapshots__/)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from store.library import Library
from tui.app import PaperdeckApp

SIZE = (120, 40)


@pytest.fixture
def desk(library: Library) -> PaperdeckApp:
    papers = sorted(library.papers().values(), key=lambda p: p.title)
    a, b, c = (p.id for p in papers[:3])
    library.add_tags([a, b], ["llm", "to-read"])
    library.set_note(a, "## Why it matters\n\n- sparse *and* fast\n- [bold] stays verbatim")
    library.set_status([c], "read")
    library.queue_add([b, a])
    inboxes = library.inboxes()
    inboxes.add("autoencoders", "autoencoder")
    inboxes.add("reading", 'is:reading -"[/bold]"')  # a query is data, never markup
    return PaperdeckApp(library, watch_interval=0)


def steps(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        for area in pilot.app.screen.query(TextArea):
            area.cursor_blink = False
        pilot.app.clear_notifications()  # they time out: not part of a screen's look
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("papers", ()),
        ("filtered", ("slash", *"sparse autoencoder", "enter")),
        ("abstract", ("slash", *"converting autoencoder", "enter", "enter")),
        ("queue", ("2",)),
        ("tags", ("3",)),
        ("notes", ("4",)),
        ("overview", ("5",)),
        ("help", ("question_mark",)),
        ("triage", ("T",)),
        ("note_editor", ("slash", *"converting autoencoder", "enter", "n")),
        ("inbox", ("6",)),
    ],
)
def test_screen(snap_compare: Any, desk: PaperdeckApp, name: str, keys: tuple[str, ...]) -> None:
    assert snap_compare(desk, terminal_size=SIZE, run_before=steps(*keys))
