"""The desk's network work: enrichment from arXiv and GitHub (`f`) and the daily pull (`P`),
each in a cancellable thread worker with its progress in the mode bar.  Mixed into `Desk`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual.signal import Signal
from textual.worker import get_current_worker

from store.errors import PaperdeckError
from store.library import Library
from store.models import Enrichment, Record
from store.settings import Settings
from store.view import LibraryView
from tui.text import clean

if TYPE_CHECKING:
    from textual.app import App


T = TypeVar("T")


class _Reloads(Protocol):
    def reload_library(self) -> None: ...


class NetworkWork:
    """Mixed into `Desk`: what it needs is named here."""

    app: App[Any]
    library: Library
    view: LibraryView
    records_changed: Signal[list[Record]]
    set_activity: Callable[[str], None]

    # -- enrichment --------------------------------------------------------------------------

    def fetch(self, ids: Sequence[str]) -> None:
        """Enrich papers from arXiv and GitHub in the background; `ctrl+x` cancels."""
        records = [self.view.get(pid) for pid in ids]
        self._start("fetch", partial(self._fetch, records), "Fetching from arXiv and GitHub")

    def _start(self, group: str, work: Callable[[], None], description: str) -> None:
        """Run `work` in a thread worker of `group`, unless one is running already."""
        if any(w.group == group and w.is_running for w in self.app.workers):
            self.app.notify(
                f"A {group} is already running; ctrl+x cancels it.",
                severity="warning",
                markup=False,
            )
            return
        self.app.run_worker(
            work, thread=True, group=group, description=description, exit_on_error=False
        )

    def _reporting(self, run: Callable[[], T]) -> T | None:
        """`run()` from a worker, the activity cleared after it; a PaperdeckError is shown as
        an error (and None returned)."""
        call = self.app.call_from_thread
        try:
            return run()
        except PaperdeckError as error:
            call(self.app.notify, str(error), severity="error", timeout=10, markup=False)
            return None
        finally:
            call(self.set_activity, "")

    def cancel_fetch(self) -> bool:
        return self._cancel("fetch")

    def _cancel(self, group: str) -> bool:
        """Cancel the running workers of `group`; whether there were any."""
        running = [w for w in self.app.workers if w.group == group and w.is_running]
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

        summary = self._reporting(
            lambda: fetch(
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
        )
        if summary is None:
            return
        lines = [summary.arxiv_line(), summary.github_line(), *summary.service_errors]
        if summary.cancelled:
            lines.insert(0, "Fetch cancelled; what was fetched is kept.")
        severity = "error" if summary.service_errors else "information"
        call(self.app.notify, "\n".join(lines), severity=severity, timeout=8, markup=False)

    # -- pulling -----------------------------------------------------------------------------

    def pull(self) -> None:
        """Pull today's papers in the background (what PAPERDECK_PULL names, else Hugging
        Face); `ctrl+x` cancels between pages, and each page that landed stays."""
        self._start("pull", self._pull, "Pulling today's papers")

    def cancel_pull(self) -> bool:
        return self._cancel("pull")

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

        summary = self._reporting(
            lambda: pull(
                self.library,
                targets,
                settings=settings,
                progress=progress,
                cancelled=lambda: worker.is_cancelled,
            )
        )
        if summary is None:
            return
        if summary.new or summary.updated:
            call(cast(_Reloads, self.app).reload_library)
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

    def _enriched(self, ids: list[str]) -> None:
        changed = self.view.refresh_enrichment(ids)
        if changed:
            self.records_changed.publish(changed)
