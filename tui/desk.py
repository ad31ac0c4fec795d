"""The Desk: what the screens do to papers (write and undo, notes, fetch, export, open, copy).

It holds the app's Library and its in-memory view, writes off the UI thread in the order asked,
and tells the screens what changed through `records_changed`.  It opens no screen: screens open
screens (see `tui.screens.base`), so nothing here imports one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from textual.signal import Signal
from textual.worker import get_current_worker

from store.errors import PaperdeckError
from store.library import Change, Library
from store.models import Enrichment, Record
from store.settings import Settings
from store.view import LibraryView
from tui.text import clean, plural

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import App

UNDO_DEPTH = 100


class DeskApp(Protocol):
    """What screens may ask of the app, without importing it (tui.app imports the screens)."""

    desk: Desk
    loaded: bool
    """True once the library is read; screens `watch` it to fill themselves."""
    sort: str | None
    """The order the user chose for lists (None: relevance or date)."""
    activity: str
    """What runs in the background ("Fetching 3/10…"), or "" when nothing does."""
    first_results_ready: Signal[None]
    interest_ready: Signal[None]
    """Published after each retraining of the interest model."""

    def take_first_results(self, sort: str | None) -> list[Record] | None: ...

    def reload_library(self) -> None: ...


@dataclass(frozen=True)
class ExportRequest:
    """What the export dialog asked for."""

    scope: str
    """`selection`, `filter`, `queue` or `notes`."""
    fmt: str
    """`md`, `bib`, `json`, or `dir` (one Markdown file per paper)."""
    destination: Path
    include_all: bool
    force: bool


class Desk:
    def __init__(self, app: App[Any], library: Library) -> None:
        self.app = app
        self.library = library
        self.view = LibraryView(library)
        self.undo_stack: list[Change] = []
        self._write_lock = asyncio.Lock()
        self._pending_writes: list[Callable[[], Change]] = []
        """Changes asked for and not started yet: `finish_writes` runs them if the app stops."""
        self.records_changed: Signal[list[Record]] = Signal(app, "records-changed")
        self.after_write: Callable[[], None] | None = None
        """Called on the UI thread after each saved change (the app syncs other devices)."""

    def set_activity(self, text: str) -> None:
        self.app.activity = text  # type: ignore[attr-defined]

    # -- writing -----------------------------------------------------------------------------

    def write(
        self,
        change: Callable[[], Change],
        *,
        undoable: bool = True,
        on_done: Callable[[Change], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Run a store change off the UI thread, in the order asked, then show its effect.

        A failure is shown as one line, or handed to `on_error` (the one-line reason)."""
        self._pending_writes.append(change)
        self.app.run_worker(
            self._write(change, undoable, on_done, on_error),
            group="write",
            description="Saving",
            exit_on_error=False,
        )

    async def _write(
        self,
        change: Callable[[], Change],
        undoable: bool,
        on_done: Callable[[Change], None] | None,
        on_error: Callable[[str], None] | None = None,
    ) -> Change | None:
        async with self._write_lock:
            with contextlib.suppress(ValueError):
                self._pending_writes.remove(change)
            try:
                done = await asyncio.to_thread(change)
            except (PaperdeckError, OSError) as error:
                reason = str(error)
                if on_error is not None:
                    on_error(reason)
                else:
                    self.app.notify(
                        f"Could not save: {reason}", severity="error", timeout=10, markup=False
                    )
                return None
        if undoable and not done.empty:
            self.undo_stack.append(done)
            del self.undo_stack[:-UNDO_DEPTH]
        for asked, target in done.followed.items():
            # A stale view wrote to a paper merged away meanwhile: the change went to the kept one.
            self.app.notify(
                f"{asked} was merged into {target}; the change went to {target}.",
                timeout=5,
                markup=False,
            )
        self.show_change(done)
        if self.after_write is not None and not done.empty:
            self.after_write()
        if on_done is not None:
            on_done(done)
        return done

    def finish_writes(self) -> list[str]:
        """After the app stopped: make the changes still waiting for their turn, in order;
        returns what could not be saved."""
        failed = []
        with self.app._context():  # changes may reach the library through `screen.app`
            while self._pending_writes:
                change = self._pending_writes.pop(0)
                try:
                    change()
                except (PaperdeckError, OSError) as error:
                    failed.append(str(error))
        return failed

    def show_change(self, change: Change) -> None:
        changed = self.view.apply(change)
        if changed:
            self.records_changed.publish(changed)

    def undo(self) -> None:
        """Undo the last change, saying afterwards what it put back and what it left alone."""
        if not self.undo_stack:
            self.app.notify("Nothing to undo.", timeout=2, markup=False)
            return
        change = self.undo_stack.pop()

        def done(undone: Change) -> None:
            from tui.undo import undo_notice

            message, whole = undo_notice(undone, self._title)
            self.app.notify(
                message, severity="information" if whole else "warning", timeout=6, markup=False
            )

        self.write(lambda: self.library.undo(change), undoable=False, on_done=done)

    def _title(self, paper: str) -> str:
        record = self.view.by_id.get(paper)  # a paper merged away is not in the view
        return record.title if record is not None else paper

    # -- notes -------------------------------------------------------------------------------

    def save_note_at_exit(self, paper: str, text: str, base: str) -> None:
        """The app is closing with the editor open: save synchronously, or keep the draft."""
        try:
            self.library.set_note(paper, text, base=base)
        except (PaperdeckError, OSError):
            with contextlib.suppress(PaperdeckError, OSError):
                self.library.save_draft(paper, text)  # reopened next time
        else:
            with contextlib.suppress(OSError):
                self.library.drop_draft(paper)

    # -- other actions -----------------------------------------------------------------------

    def today(self) -> date:
        return self.library.now().astimezone().date()

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        import webbrowser  # rarely needed: not at start-up

        try:
            opened = webbrowser.open(url, new=2 if new_tab else 0)
        except webbrowser.Error:
            opened = False
        if not opened:  # headless, SSH: no browser to hand the link to
            self.app.notify(
                f"No browser here: nothing was opened. Press y to copy the link instead: {url}",
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        self.app.notify(f"Opened {url}", timeout=3, markup=False)

    def open_best_link(self, paper: str) -> None:
        url = self.view.get(paper).best_link()
        if url is None:
            self.app.notify("This paper has no link.", severity="warning", markup=False)
            return
        self.open_url(url)

    def copy_papers(self, ids: Sequence[str]) -> None:
        lines = []
        for pid in ids:
            record = self.view.get(pid)
            link = record.best_link()
            lines.append(f"{record.title} {link}" if link else record.title)
        self.app.copy_to_clipboard("\n".join(lines))
        self.app.notify(
            f"Copied {plural(len(lines), 'paper')} to the clipboard.", timeout=2, markup=False
        )

    # -- enrichment --------------------------------------------------------------------------

    def fetch(self, ids: Sequence[str]) -> None:
        """Enrich papers from arXiv and GitHub in the background; `ctrl+x` cancels."""
        if any(w.group == "fetch" and w.is_running for w in self.app.workers):
            self.app.notify(
                "A fetch is already running; ctrl+x cancels it.", severity="warning", markup=False
            )
            return
        records = [self.view.get(pid) for pid in ids]
        self.app.run_worker(
            partial(self._fetch, records),
            thread=True,
            group="fetch",
            description="Fetching from arXiv and GitHub",
            exit_on_error=False,
        )

    def cancel_fetch(self) -> bool:
        running = [w for w in self.app.workers if w.group == "fetch" and w.is_running]
        for worker in running:
            worker.cancel()
        return bool(running)

    def _fetch(self, records: list[Record]) -> None:
        import os

        from store.enrich.run import FetchSettings, fetch
        from store.enrich.token import lookup_github_token

        worker = get_current_worker()
        call = self.app.call_from_thread
        try:
            settings = FetchSettings.from_env(os.environ)
        except PaperdeckError as error:
            call(self.app.notify, str(error), severity="error", markup=False)
            return
        token = None
        if any(r.paper.github for r in records):
            token = lookup_github_token(os.environ).token
        total = len(records)
        call(self.set_activity, f"Fetching 0/{total}… (ctrl+x cancels)")

        def progress(done: int, steps: int, title: str) -> None:
            call(
                self.set_activity, f"Fetching {done}/{steps}: {clean(title)[:40]} (ctrl+x cancels)"
            )

        def save(paper: str, enrichment: Enrichment) -> None:
            self.library.save_enrichment(paper, enrichment)
            call(self._enriched, [paper])

        try:
            summary = fetch(
                records,
                arxiv=True,
                github=True,
                refresh=False,
                settings=settings,
                token=token,
                save=save,
                progress=progress,
                cancelled=lambda: worker.is_cancelled,
            )
        except PaperdeckError as error:
            call(self.app.notify, str(error), severity="error", timeout=10, markup=False)
            return
        finally:
            call(self.set_activity, "")
        lines = [summary.arxiv_line(), summary.github_line(), *summary.service_errors]
        if summary.cancelled:
            lines.insert(0, "Fetch cancelled; what was fetched is kept.")
        severity = "error" if summary.service_errors else "information"
        call(self.app.notify, "\n".join(lines), severity=severity, timeout=8, markup=False)

    # -- pulling -----------------------------------------------------------------------------

    def pull(self) -> None:
        """Pull today's papers in the background (what PAPERDECK_PULL names, else Hugging
        Face); `ctrl+x` cancels between pages, and each page that landed stays."""
        if any(w.group == "pull" and w.is_running for w in self.app.workers):
            self.app.notify(
                "A pull is already running; ctrl+x cancels it.", severity="warning", markup=False
            )
            return
        self.app.run_worker(
            self._pull,
            thread=True,
            group="pull",
            description="Pulling today's papers",
            exit_on_error=False,
        )

    def cancel_pull(self) -> bool:
        running = [w for w in self.app.workers if w.group == "pull" and w.is_running]
        for worker in running:
            worker.cancel()
        return bool(running)

    def _pull(self) -> None:
        import os

        from store.pull.run import PullSettings, plan, pull

        worker = get_current_worker()
        call = self.app.call_from_thread
        try:
            # The app carries the user's settings: their [pull] sources (PAPERDECK_PULL wins).
            user = getattr(self.app, "settings", None)
            configured = user.pull.sources if isinstance(user, Settings) else ()
            settings = PullSettings.from_env(os.environ, configured)
            targets = plan(self.library, settings.sources, today=self.library.now().date())
        except PaperdeckError as error:
            call(self.app.notify, str(error), severity="error", timeout=10, markup=False)
            return
        call(self.set_activity, "Pulling… (ctrl+x cancels)")

        def progress(done: int, steps: int, what: str) -> None:
            call(self.set_activity, f"Pulling {done}/{steps}: {clean(what)} (ctrl+x cancels)")

        try:
            summary = pull(
                self.library,
                targets,
                settings=settings,
                progress=progress,
                cancelled=lambda: worker.is_cancelled,
            )
        except PaperdeckError as error:
            call(self.app.notify, str(error), severity="error", timeout=10, markup=False)
            return
        finally:
            call(self.set_activity, "")
        if summary.new or summary.updated:
            call(self.host.reload_library)
        lines = [f"{summary.new} new" + (f", {summary.updated} updated" if summary.updated else "")]
        lines += [
            f"{s.source}: {'unchanged since the last pull' if s.not_modified else f'{s.new} new'}"
            for s in summary.sources
        ]
        if summary.cancelled:
            lines.insert(0, "Pull cancelled; the pages pulled before are kept.")
        if summary.error:
            # Nothing pulled: the reason is the whole message; else it follows what landed.
            lines = [*lines, summary.error] if summary.sources else [summary.error]
        severity = "error" if summary.error else "information"
        call(self.app.notify, "\n".join(lines), severity=severity, timeout=10, markup=False)

    @property
    def host(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def _enriched(self, ids: list[str]) -> None:
        changed = self.view.refresh_enrichment(ids)
        if changed:
            self.records_changed.publish(changed)

    # -- export ------------------------------------------------------------------------------

    def scope_records(
        self, scope: str, selection: Sequence[str], query: str, sort: str | None
    ) -> list[Record]:
        if scope == "selection":
            return [self.view.get(pid) for pid in selection]
        if scope == "queue":
            return self.view.queue()
        if scope == "notes":
            return [r for r in self.view.search("", sort) if r.state.has_note]
        return self.view.search(query, sort)

    def export(
        self, request: ExportRequest, selection: Sequence[str], query: str, sort: str | None
    ) -> None:
        """Write the export the dialog asked for, in the background."""
        self.app.run_worker(
            partial(self._export, request, list(selection), query, sort),
            thread=True,
            group="export",
            description="Exporting",
            exit_on_error=False,
        )

    def _export(
        self, request: ExportRequest, selection: list[str], query: str, sort: str | None
    ) -> None:
        from datetime import datetime

        from store.export.run import export_to

        now = datetime.now().astimezone()
        call = self.app.call_from_thread
        try:
            # Keys are assigned (and stored) the first time a paper is exported.
            records = self.library.with_citekeys(
                [
                    self.view.with_abstract(r)
                    for r in self.scope_records(request.scope, selection, query, sort)
                ]
            )
            done = export_to(
                request.fmt,
                records,
                request.destination,
                now=now,
                include_all=request.include_all,
                force=request.force,
            )
            message = done.summary()
            left_out = len(records) - done.papers
            if left_out:
                message += (
                    f"; {plural(left_out, 'paper')} without a note left out "
                    "(tick “Include papers without notes” to add them)"
                )
        except PaperdeckError as error:
            call(self.app.notify, str(error), severity="error", timeout=10, markup=False)
            return
        call(self.app.notify, message, timeout=8, markup=False)
