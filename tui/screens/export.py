"""`e`: export papers' notes to Markdown, BibTeX or JSON, or one Markdown file per paper."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet

from tui import bindings
from tui.desk import ExportRequest

SCOPES = (
    ("filter", "Papers in the current filter"),
    ("selection", "Selected papers"),
    ("queue", "The reading queue"),
    ("notes", "Every paper with a note"),
)
FORMATS = (
    ("md", "Markdown, one file"),
    ("dir", "Markdown, one file per paper (Obsidian/Logseq)"),
    ("bib", "BibTeX"),
    ("json", "JSON"),
)
SUFFIX = {"md": ".md", "bib": ".bib", "json": ".json", "dir": ""}


def default_destination(fmt: str, *, home: Path | None = None, cwd: Path | None = None) -> Path:
    """Under ~/Documents when there is one, else the current directory."""
    home = home or Path.home()
    documents = home / "Documents"
    base = documents if documents.is_dir() else (cwd or Path.cwd())
    stem = "paperdeck-notes" if fmt == "dir" else f"paperdeck-{date.today().isoformat()}"
    return base / f"{stem}{SUFFIX[fmt]}"


class ExportDialog(ModalScreen[ExportRequest | None]):
    BINDINGS = bindings.EXPORT

    def __init__(self, *, has_selection: bool, filter_text: str) -> None:
        super().__init__()
        self.has_selection = has_selection
        self.filter_text = filter_text

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Label("Export", classes="dialog-title")
            with Horizontal(id="export-choices"):
                with RadioSet(id="export-scope"):
                    for key, label in SCOPES:
                        if key == "filter" and self.filter_text:
                            label = f"{label}: {self.filter_text[:30]}"
                        yield RadioButton(
                            label,
                            value=key == ("selection" if self.has_selection else "filter"),
                            disabled=key == "selection" and not self.has_selection,
                            name=key,
                        )
                with RadioSet(id="export-format"):
                    for key, label in FORMATS:
                        yield RadioButton(label, value=key == "md", name=key)
            yield Checkbox("Include papers without notes", id="export-all")
            yield Label("Destination")
            yield Input(str(default_destination("md")), id="export-path")
            yield Checkbox("Overwrite an existing file", id="export-force")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export-go")
                yield Button("Cancel", id="export-cancel")

    def _chosen(self, radio_set: str) -> str:
        pressed = self.query_one(f"#{radio_set}", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else ""

    @on(RadioSet.Changed, "#export-format")
    def format_changed(self) -> None:
        path_input = self.query_one("#export-path", Input)
        fmt = self._chosen("export-format")
        current = Path(path_input.value).expanduser()
        if current.parent.exists() and fmt:
            stem = default_destination(fmt).name
            path_input.value = str(current.parent / stem)

    @on(Button.Pressed, "#export-go")
    @on(Input.Submitted, "#export-path")
    def go(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self.notify("Name a destination file or folder.", severity="warning", markup=False)
            return
        self.dismiss(
            ExportRequest(
                scope=self._chosen("export-scope") or "filter",
                fmt=self._chosen("export-format") or "md",
                destination=Path(value).expanduser(),
                include_all=self.query_one("#export-all", Checkbox).value,
                force=self.query_one("#export-force", Checkbox).value,
            )
        )

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
