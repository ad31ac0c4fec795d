"""PaperdeckApp: the screens, the global keys, what follows a load, and one place for failures."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.reactive import var
from textual.signal import Signal
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from store.library import Library
from store.settings import Settings
from tui import bindings, preferences
from tui.commands import PaperdeckCommands
from tui.desk import Desk
from tui.loading import LoadingApp
from tui.messages import OpenAbstract, StartTriage, WorkerFailed
from tui.screens.papers import PapersScreen
from tui.session import TerminalApp
from tui.text import clean
from tui.upkeep import UpkeepApp

if TYPE_CHECKING:
    from textual.screen import Screen


def _shown_first_time(module: str, screen: str) -> Callable[[], Screen[None]]:
    """A mode's screen, imported when first shown (all but Papers): start-up is felt most."""

    def make() -> Screen[None]:
        made: Screen[None] = getattr(importlib.import_module(module), screen)()
        return made

    return make


class PaperdeckApp(LoadingApp, UpkeepApp, TerminalApp):
    CSS_PATH = "app.tcss"
    TITLE = "paperdeck"
    COMMANDS = App.COMMANDS | {PaperdeckCommands}
    MODES = {
        "papers": PapersScreen,
        "queue": _shown_first_time("tui.screens.queue", "QueueScreen"),
        "tags": _shown_first_time("tui.screens.tags", "TagsScreen"),
        "notes": _shown_first_time("tui.screens.notes", "NotesScreen"),
        "stats": _shown_first_time("tui.screens.stats", "StatsScreen"),
        "inbox": _shown_first_time("tui.screens.inbox", "InboxScreen"),
    }
    DEFAULT_MODE = "papers"
    BINDINGS = bindings.APP

    loaded: var[bool] = var(False)
    """True once the library is read; screens watch it to fill themselves."""
    sort: var[str | None] = var(None)
    """The order the user chose for lists (None: relevance or date)."""
    activity: var[str] = var("")
    """What runs in the background ("Fetching 3/10…"), or "" when nothing does."""

    def __init__(
        self,
        library: Library,
        *,
        seeds: Sequence[Path] = (),
        watch_interval: float = 2.0,
        triage: str | None = None,
        settings: Settings | None = None,
        settings_path: Path | None = None,
        settings_problems: Sequence[str] = (),
        triage_order: str = "interest",
        sync_folder: Path | None = None,
        sync_interval: float = 30.0,
        sync_delay: float = 1.0,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.settings_path = settings_path
        """Where theme and sort chosen here are remembered; None: nowhere (tests, no config)."""
        keymap, problems = preferences.checked_keymap(self.settings.keymap, settings_path)
        self.set_keymap(keymap)
        self.remapped = keymap
        """Binding id -> keys the user chose (checked), for widgets that name a key in text."""
        theme, theme_problems = preferences.checked_theme(
            self.settings, self.available_themes, settings_path
        )
        if theme is not None:
            self.theme = theme
        self.set_reactive(PaperdeckApp.sort, self.settings.sort)
        self.settings_problems = [*settings_problems, *problems, *theme_problems]
        self.sync_folder = sync_folder
        """`PAPERDECK_SYNC_DIR`: sync on start, after changes and every `sync_interval` s."""
        self.sync_interval = sync_interval
        self.sync_delay = sync_delay
        self._sync_running = threading.Lock()
        self._sync_timer: Timer | None = None
        self._synced_once = False
        self._last_sync_error = ""
        self.triage_on_start = triage
        """A query: start in triage mode on it (`paperdeck triage`)."""
        self.triage_order = triage_order
        """`interest`, `uncertain`, `upvotes` or `date`: how the triage pile is ordered."""
        self.interest_ready: Signal[None] = Signal(self, "interest-ready")
        self.abstracts_ready: Signal[None] = Signal(self, "abstracts-ready")
        """Published (on the UI thread) after each retraining of the interest model."""
        self.desk = Desk(self, library)
        self.desk.after_write = self.schedule_sync
        self.seeds = list(seeds)
        self.watch_interval = watch_interval
        for store_file in library.files:
            store_file.on_wait = self.lock_wait_noticed

    def lock_wait_noticed(self, text: str) -> None:
        """A write waits for another paperdeck's lock: say so at once (from any thread)."""

        def show() -> None:
            self.notify(text[:1].upper() + text[1:] + ".", severity="warning", markup=False)

        try:
            self.call_from_thread(show)
        except RuntimeError:  # on the app's own thread, or before it runs
            show()

    # -- loading (`tui.loading` reads the library) -----------------------------------------

    def on_mount(self) -> None:
        for problem in self.settings_problems:
            self.notify(problem, severity="warning", timeout=15, markup=False)
        self.desk.records_changed.subscribe(self, lambda _: self.retrain_if_wanted())
        if self.watch_interval > 0:
            self.set_interval(self.watch_interval, self.pick_up_outside_changes)
        if self.sync_folder is not None and self.sync_interval > 0:
            self.set_interval(self.sync_interval, self.sync_now)
        if not self.is_headless:
            self.catch_signals()

    def _loaded(self) -> None:
        self.loaded = True
        # Indexing holds the interpreter for seconds on big libraries: let the list paint first.
        self.set_timer(0.5, self.index_abstracts)
        if self.sort == "interest" or self.triage_on_start is not None:
            self.want_interest()
        self.retrain_if_wanted()
        if self.triage_on_start is not None:
            self.start_triage(self.triage_on_start)
            self.triage_on_start = None
        if self.sync_folder is not None and not self._synced_once:
            self._synced_once = True
            self.sync_now()

    def action_reload(self) -> None:
        self.reload_library()
        self.notify("Reloaded from the store.", timeout=2, markup=False)

    # -- remembered choices ------------------------------------------------------------------

    def key_for(self, binding_id: str, default: str) -> str:
        """How to show the first key of a binding, as the user mapped it."""
        from textual.binding import Binding

        keys = self.remapped.get(binding_id, default).split(",")[0]
        return self.get_key_display(Binding(keys, ""))

    def watch_theme(self, theme: str) -> None:
        self._remember("theme", theme)

    def watch_sort(self, sort: str | None) -> None:
        if sort is not None:
            self._remember("sort", sort)
        if sort == "interest":
            self.want_interest()

    def _remember(self, key: str, value: str) -> None:
        if self.settings_path is None or getattr(self.settings, key) == value:
            return
        self.settings = self.settings.with_top_level(key, value)
        self._save_choice(self.settings_path, key, value)

    @work(thread=True, group="settings", exit_on_error=False, description="Saving the settings")
    def _save_choice(self, path: Path, key: str, value: str) -> None:
        problem = preferences.save_choice(path, key, value)
        if problem is not None:
            self.call_from_thread(self.notify, problem, severity="error", timeout=10, markup=False)

    # -- failures ----------------------------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.report_failure(event.worker)

    @on(WorkerFailed)
    def _screen_worker_failed(self, event: WorkerFailed) -> None:
        self.report_failure(event.worker)

    def report_failure(self, worker: Worker[object]) -> None:
        """The one place an unexpected error in any worker ends: one message, nothing busy."""
        what = worker.description or worker.name or "A background task"
        error = worker.error
        reason = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
        self.activity = ""
        self.notify(f"{what} failed: {reason}", severity="error", timeout=15, markup=False)

    # -- global actions ----------------------------------------------------------------------

    def action_cancel_work(self) -> None:
        if self.desk.cancel_fetch():
            self.notify("Cancelling the fetch…", timeout=2, markup=False)
        if self.desk.cancel_pull():
            self.notify("Cancelling the pull…", timeout=2, markup=False)

    def action_pull(self) -> None:
        self.desk.pull()

    def start_triage(self, query: str = "") -> None:
        from tui.screens.triage import TriageScreen

        self.want_interest()
        self.push_screen(TriageScreen(query, order=self.triage_order))

    @on(StartTriage)
    def _start_triage(self, event: StartTriage) -> None:
        self.start_triage(event.query)

    @on(OpenAbstract)
    def open_abstract(self, event: OpenAbstract) -> None:
        from tui.screens.abstract import AbstractScreen

        self.push_screen(
            AbstractScreen(
                event.ids, event.paper, on_close=event.on_close, focus_note=event.focus_note
            )
        )

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """ "Save screenshot" (command palette): into Downloads when there is one, else the home
        folder, and always say where it went or why it could not be saved."""
        from textual._files import generate_datetime_filename  # what Textual names them

        directory = Path(path) if path else screenshot_directory()
        name = filename or generate_datetime_filename(self.title, ".svg", time_format)
        try:
            saved = self.save_screenshot(name, str(directory))
        except OSError as error:
            self.notify(
                f"Could not save the screenshot in {directory}: {error.strerror or error}",
                severity="error",
                timeout=10,
                markup=False,
            )
            return None
        self.notify(f"Saved the screenshot to {saved}", timeout=8, markup=False)
        return None

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def screenshot_directory() -> Path:
    """The user's Downloads folder if it exists, else their home folder."""
    from platformdirs import user_downloads_path

    downloads = user_downloads_path()
    return downloads if downloads.is_dir() else Path.home()


def run_app(
    library: Library,
    *,
    seeds: Sequence[Path],
    triage: str | None = None,
    settings: Settings | None = None,
    settings_path: Path | None = None,
    settings_problems: Sequence[str] = (),
    triage_order: str = "interest",
    sync_folder: Path | None = None,
) -> int:
    import sys

    app = PaperdeckApp(
        library,
        seeds=seeds,
        triage=triage,
        triage_order=triage_order,
        settings=settings,
        settings_path=settings_path,
        settings_problems=settings_problems,
        sync_folder=sync_folder,
    )
    app.run()
    failed = app.desk.finish_writes()  # changes still waiting when the app stopped
    if app.lost_terminal is None:
        for reason in failed:
            print(f"paperdeck: error: not saved: {clean(reason)}", file=sys.stderr)
    return app.return_code or (1 if failed else 0)
