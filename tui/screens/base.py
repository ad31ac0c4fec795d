"""PaperScreen: the actions every screen showing papers shares (`t n a r u o y f e`).

On a list they act on the selection, else the highlighted paper; in the abstract view on that
paper.  Each screen says which papers by implementing `target_ids`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from tui.app import PaperdeckApp


class DeskScreen(Screen[None]):
    """A screen of the paperdeck app, with typed access to it."""

    @property
    def desk(self) -> PaperdeckApp:
        return self.app  # type: ignore[return-value]


class PaperScreen(DeskScreen):
    BINDINGS = [
        Binding("t", "tag", "Tag", id="paper.tag"),
        Binding("n", "note", "Note", id="paper.note"),
        Binding("a", "queue", "Queue", id="paper.queue"),
        Binding("r", "mark_read", "Read", id="paper.read"),
        Binding("u", "undo", "Undo", id="paper.undo"),
        Binding("o", "open_link", "Open link", id="paper.open-link"),
        Binding("y", "copy", "Copy", show=False, id="paper.copy"),
        Binding("f", "fetch", "Fetch", show=False, id="paper.fetch"),
        Binding("e", "export", "Export", show=False, id="paper.export"),
    ]

    def target_ids(self) -> list[str]:
        """The papers an action applies to; empty when there is none."""
        raise NotImplementedError

    def _targets(self) -> list[str]:
        ids = self.target_ids()
        if not ids:
            self.notify("No paper here to act on.", severity="warning", markup=False)
        return ids

    def action_tag(self) -> None:
        ids = self._targets()
        if not ids:
            return
        from tui.screens.modals import TagInput

        records = [self.desk.view.get(pid) for pid in ids]
        current = sorted({t for r in records for t in r.state.tags})
        suggestions = list(self.desk.view.tag_counts())
        title = records[0].title if len(records) == 1 else f"{len(records)} papers"

        def apply(spec: str | None) -> None:
            if spec and spec.strip():
                self.desk.write(lambda: self.desk.library.edit_tags(ids, spec))

        self.app.push_screen(TagInput(title, current, suggestions), apply)

    def action_note(self) -> None:
        ids = self._targets()
        if ids:
            self.desk.edit_note(ids[0])

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
        self.desk.export(self.target_ids(), self.export_query())

    def export_query(self) -> str:
        """The filter this screen shows, for the export dialog's "current filter" scope."""
        return ""

    def action_sort(self) -> None:
        from tui.screens.modals import SortChooser

        self.app.push_screen(SortChooser(self.desk.sort), self.desk.set_sort)
