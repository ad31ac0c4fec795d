"""Messages more than one part of the app uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.message import Message
from textual.worker import Worker


class WorkerFailed(Message):
    """A screen's worker raised something nobody expected; the app reports it in one place.

    Worker messages do not bubble, so screens forward their own (see `DeskScreen`)."""

    def __init__(self, worker: Worker[object]) -> None:
        super().__init__()
        self.worker = worker


@dataclass
class OpenAbstract(Message):
    """Show one paper's abstract view, stepping through `ids` with j/k."""

    ids: Sequence[str]
    paper: str
    on_close: Callable[[str], None] | None = None
    """Called with the paper shown last when the view closes (lists move their cursor there)."""
    focus_note: bool = False


@dataclass
class StartTriage(Message):
    """Triage the untriaged papers matching `query`, one at a time."""

    query: str = ""
