"""Messages more than one part of the app uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.message import Message
from textual.worker import Worker


class WorkerFailed(Message):
    """A screen's worker raised something nobody expected; the app reports it in one place.

    Worker messages do not bubble, so screens forward their own (see `DeskScreen`)."""

    def __init__(self, worker: Worker[object]) -> None:
        super().__init__()
        self.worker = worker


class OpenAbstract(Message):
    """Show one paper's abstract view, stepping through `ids` with j/k. `on_close` is called
    with the paper shown last when the view closes (lists move their cursor there)."""

    def __init__(
        self,
        ids: Sequence[str],
        paper: str,
        on_close: Callable[[str], None] | None = None,
        focus_note: bool = False,
    ) -> None:
        super().__init__()
        self.ids = ids
        self.paper = paper
        self.on_close = on_close
        self.focus_note = focus_note


class StartTriage(Message):
    """Triage the untriaged papers matching `query`, one at a time."""

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query = query
