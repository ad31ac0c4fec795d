"""The screens' common ground: typed access to the desk, and the actions on papers.

`DeskScreen` is any paperdeck screen.  `PaperScreen` adds the actions every screen that shows
papers shares (`t n a r u o y f e`): on a list they act on the selection, else the highlighted
paper; in the abstract view on that paper.  Each screen says which papers by `target_ids`.
Screens open other screens; the app module is never imported here (it imports the screens).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from textual import events, on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from store.settings import Settings
from tui import bindings
from tui.messages import OpenAbstract, WorkerFailed

if TYPE_CHECKING:
    from store.library import Change
    from tui.desk import Desk, DeskApp, ExportRequest


class DeskScreen(Screen[None]):
    """A screen of the paperdeck app."""

    @property
    def host(self) -> DeskApp:
        return cast("DeskApp", self.app)

    @property
    def desk(self) -> Desk:
        return self.host.desk

    @on(Worker.StateChanged)
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker messages do not bubble: hand an unexpected failure to the app's one handler,
        and let this screen end whatever "working…" it shows."""
        if event.state == WorkerState.ERROR:
            self.worker_failed(event.worker)
            self.app.post_message(WorkerFailed(event.worker))

    def library_ready(self) -> bool:
        """Whether papers can be acted on: a large library's list shows while its records are
        still being read (a second or two at 100k papers), and acting on one then says so."""
        if self.host.loaded:
            return True
        self.notify(
            "Still reading the library: try again in a moment.", severity="warning", markup=False
        )
        return False

    def worker_failed(self, worker: Worker[object]) -> None:
        """Override to end a busy state that `worker` would have ended."""

    def _compositor_refresh(self) -> None:
        # Textual 8 draws a screen mounted while the app's start is batched, drops that frame
        # (~10 ms of drawing), and counts it as sent: after it only what changed went out,
        # and the mode bar, the filter and the footer reached the terminal a frame or two
        # after the list.  Nothing is drawn while batched; what is to draw stays marked, and
        # the first frame after the batch is the whole screen.
        if self.app._batch_count:
            if not self._undrawn:
                self._undrawn = True
                # Drawn at the first frame after the batch; should nothing ask for one (a
                # batch at another time than the start), the whole screen is asked for then.
                self.app.call_later(self._draw_if_undrawn)
            return
        self._undrawn = False
        super()._compositor_refresh()
        if self._after_drawn and self.is_current:
            callbacks, self._after_drawn = self._after_drawn, []
            for callback in callbacks:
                self.call_later(callback)

    _undrawn = False
    """A frame was asked for while the app was batched and none drawn since."""
    _after_drawn: list[Callable[[], object]] = []

    def call_after_drawn(self, callback: Callable[[], object]) -> None:
        """Call `callback` once this screen's next frame has gone to the terminal.  Unlike
        `call_after_refresh`, never before: that runs when the screen is idle, which it may be
        between a refresh asked for and the frame drawn, and work done there (a warm-up search,
        a loader thread let go) held the first frame back."""
        self._after_drawn = [*self._after_drawn, callback]

    def _draw_if_undrawn(self) -> None:
        if self._undrawn:
            self._undrawn = False
            self.refresh()

    def on_key(self, event: events.Key) -> None:
        # Bindings are looked up when a key reaches the app, on the screen on top *then*: keys
        # typed right after `n` pass this screen before the editor opens, and reach the app
        # after.  Say where they were going (PaperdeckApp.on_key hands them to the editor).
        event.desk_screen = self  # type: ignore[attr-defined]

    def when_loaded(self, callback: Callable[[], None], *, once: bool = False) -> None:
        """Call `callback` now if the library is read, and after every (re)load (or only the
        first time, with `once`)."""
        called = False

        def loaded_changed(loaded: bool) -> None:
            nonlocal called
            if loaded and not (once and called):
                called = True
                callback()

        self.watch(self.app, "loaded", loaded_changed)

    # -- screens opened from any screen ------------------------------------------------------

    def edit_note(
        self,
        paper: str,
        *,
        on_saved: Callable[[Change], None] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        """Open the note editor; a draft left by a crash or a failing store comes back."""
        from tui.screens.note_editor import open_note_editor

        open_note_editor(self, self.desk, paper, on_saved=on_saved, on_close=on_close)

    def open_abstract(
        self,
        ids: Sequence[str],
        paper: str,
        *,
        on_close: Callable[[str], None] | None = None,
        focus_note: bool = False,
    ) -> None:
        self.post_message(OpenAbstract(ids, paper, on_close, focus_note))


class PaperScreen(DeskScreen):
    BINDINGS = bindings.PAPER

    def target_ids(self) -> list[str]:
        """The papers an action applies to; empty when there is none."""
        raise NotImplementedError

    def _targets(self) -> list[str]:
        if not self.library_ready():
            return []
        ids = self.target_ids()
        if not ids:
            self.notify("No paper here to act on.", severity="warning", markup=False)
        return ids

    def action_tag(self) -> None:
        ids = self._targets()
        if not ids:
            return
        from tui.screens.modals import TagInput

        desk = self.desk
        records = [desk.view.get(pid) for pid in ids]
        current = sorted({t for r in records for t in r.state.tags})
        suggestions = list(desk.view.tag_counts())
        title = records[0].title if len(records) == 1 else f"{len(records)} papers"

        def apply(spec: str | None) -> None:
            if spec and spec.strip():
                desk.write(lambda: desk.library.edit_tags(ids, spec))

        self.app.push_screen(TagInput(title, current, suggestions), apply)

    def action_note(self) -> None:
        ids = self._targets()
        if ids:
            self.edit_note(ids[0])

    def action_queue(self) -> None:
        ids = self._targets()
        if ids:
            self.desk.write(lambda: self.desk.library.queue_toggle(ids))

    def action_mark_read(self) -> None:
        ids = self._targets()
        if not ids:
            return
        records = [self.desk.view.get(pid) for pid in ids]
        status = "unread" if all(r.state.status == "read" for r in records) else "read"
        self.desk.write(lambda: self.desk.library.set_status(ids, status))

    def action_mark_reading(self) -> None:
        ids = self._targets()
        if not ids:
            return
        records = [self.desk.view.get(pid) for pid in ids]
        status = "unread" if all(r.state.status == "reading" for r in records) else "reading"
        self.desk.write(lambda: self.desk.library.set_status(ids, status))

    def action_undo(self) -> None:
        self.desk.undo()

    def action_open_link(self) -> None:
        ids = self._targets()
        if ids:
            self.desk.open_best_link(ids[0])

    def action_copy(self) -> None:
        ids = self._targets()
        if ids:
            self.desk.copy_papers(ids)

    def action_fetch(self) -> None:
        ids = self._targets()
        if ids:
            self.desk.fetch(ids)

    def action_export(self) -> None:
        from tui.screens.export import ExportDialog

        if not self.library_ready():
            return
        ids = self.selected_ids()
        query = self.export_query()

        def chosen(request: ExportRequest | None) -> None:
            if request is not None:
                self.desk.export(request, ids, query, self.host.sort)

        # The app carries the user's settings (screens never import it): their export defaults.
        settings = getattr(self.app, "settings", None)
        export = settings.export if isinstance(settings, Settings) else None
        dialog = ExportDialog(
            selected=len(ids),
            filter_text=query,
            folder=export.directory if export else None,
            fmt=export.format if export else "md",
        )
        self.app.push_screen(dialog, chosen)

    def selected_ids(self) -> list[str]:
        """The papers the user selected (`space`), not just the highlighted one."""
        return []

    def export_query(self) -> str:
        """The filter this screen shows, for the export dialog's "current filter" scope."""
        return ""

    def action_sort(self) -> None:
        from tui.screens.modals import SortChooser

        self.app.push_screen(SortChooser(self.host.sort), self.set_sort)

    def set_sort(self, sort: str | None) -> None:
        if sort is not None:
            self.host.sort = sort
            self.notify(f"Sorted by {sort}.", timeout=2, markup=False)
