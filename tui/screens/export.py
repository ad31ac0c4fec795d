"""`e`: export papers' notes to Markdown, BibTeX or JSON, or one Markdown file per paper.

Designed for 80x24 and 60x20: compact controls, the two choices side by side, everything in one
scrolling column. Choosing a file that exists asks, in the dialog, whether to overwrite it, and
every choice made stays as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static

from tui import bindings
from tui.desk import ExportRequest
from tui.text import safe

SCOPES = (
    ("filter", "Current filter"),
    ("selection", "Selected papers"),
    ("queue", "Reading queue"),
    ("notes", "Papers with a note"),
)
FORMATS = (
    ("md", "Markdown"),
    ("dir", "Markdown folder"),
    ("bib", "BibTeX"),
    ("csl", "CSL-JSON"),
    ("ris", "RIS"),
    ("json", "JSON"),
)
FORMAT_HELP = {
    "md": "one Markdown file",
    "dir": "a folder, one Markdown file per paper (Obsidian, Logseq)",
    "bib": "one BibTeX file",
    "csl": "one CSL-JSON file (pandoc, Zotero)",
    "ris": "one RIS file (EndNote, Zotero, Mendeley)",
    "json": "one JSON file, as `paperdeck list --json`",
}
SUFFIX = {"md": ".md", "bib": ".bib", "csl": ".json", "ris": ".ris", "json": ".json", "dir": ""}


def default_destination(
    fmt: str, *, home: Path | None = None, cwd: Path | None = None, folder: Path | None = None
) -> Path:
    """In the configured export folder (`export.directory`) when there is one, as the CLI
    writes there; else under ~/Documents when there is one, else the current directory."""
    if folder is not None:
        return folder if fmt == "dir" else folder / f"paperdeck{SUFFIX[fmt]}"
    home = home or Path.home()
    documents = home / "Documents"
    base = documents if documents.is_dir() else (cwd or Path.cwd())
    stem = "paperdeck-notes" if fmt == "dir" else f"paperdeck-{date.today().isoformat()}"
    return base / f"{stem}{SUFFIX[fmt]}"


class ExportDialog(ModalScreen[ExportRequest | None]):
    DEFAULT_CSS = """
    #export-body {
        height: auto;
        max-height: 100%;
    }
    #export-choices {
        height: auto;
        margin-top: 1;
    }
    #export-scope, #export-format {
        width: 1fr;
        height: auto;
        margin-right: 1;
    }
    #export-filter, #export-all, #export-path {
        margin-top: 1;
    }
    #export-status {
        height: auto;
        min-height: 1;
    }
    #export-dialog .buttons {
        height: auto;
        margin-top: 1;
        dock: bottom;
    }
    #export-dialog .buttons Button {
        margin-right: 2;
    }
    """

    BINDINGS = bindings.EXPORT

    def __init__(
        self,
        *,
        selected: int,
        filter_text: str,
        folder: Path | None = None,
        fmt: str = "md",
    ) -> None:
        """`selected`: how many papers the user selected (0: the scope is not offered);
        `folder` and `fmt`: the configured export folder and default format."""
        super().__init__()
        self.selected = selected
        self.filter_text = filter_text
        self.folder = folder
        self.fmt = fmt if fmt in SUFFIX else "md"
        self._confirming: Path | None = None
        """The existing file the user was asked about: `Export` again overwrites it."""

    def compose(self) -> ComposeResult:
        default_scope = "selection" if self.selected else "filter"
        with Vertical(id="export-dialog", classes="dialog"):
            with VerticalScroll(id="export-body"):
                yield Label("Export", classes="dialog-title")
                with Horizontal(id="export-choices"):
                    with RadioSet(id="export-scope", compact=True):
                        for key, label in SCOPES:
                            if key == "selection" and self.selected:
                                label = f"{label} ({self.selected})"
                            yield RadioButton(
                                label,
                                value=key == default_scope,
                                disabled=key == "selection" and not self.selected,
                                name=key,
                                compact=True,
                            )
                    with RadioSet(id="export-format", compact=True):
                        for key, label in FORMATS:
                            yield RadioButton(label, value=key == self.fmt, name=key, compact=True)
                filter_line = f"filter: {self.filter_text}" if self.filter_text else "filter: none"
                yield Static(safe(filter_line, "dim"), id="export-filter")
                yield Checkbox("Include papers without notes", id="export-all", compact=True)
                destination = default_destination(self.fmt, folder=self.folder)
                yield Input(str(destination), id="export-path", compact=True)
                yield Static(safe(FORMAT_HELP[self.fmt], "dim"), id="export-status")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export-go", compact=True)
                yield Button("Cancel", id="export-cancel", compact=True)

    def _chosen(self, radio_set: str) -> str:
        pressed = self.query_one(f"#{radio_set}", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else ""

    def _status(self, text: str, style: str = "dim") -> None:
        self.query_one("#export-status", Static).update(safe(text, style))

    def _unconfirm(self) -> None:
        self._confirming = None
        self.query_one("#export-go", Button).label = "Export"

    @on(RadioSet.Changed, "#export-format")
    def format_changed(self) -> None:
        path_input = self.query_one("#export-path", Input)
        fmt = self._chosen("export-format")
        current = Path(path_input.value).expanduser()
        if self.folder is not None and fmt:
            path_input.value = str(default_destination(fmt, folder=self.folder))
        elif current.parent.exists() and fmt:
            path_input.value = str(current.parent / default_destination(fmt).name)
        self._unconfirm()
        self._status(FORMAT_HELP.get(fmt, ""))

    @on(Input.Changed, "#export-path")
    def path_changed(self, event: Input.Changed) -> None:
        if (
            self._confirming is not None
            and Path(event.value.strip()).expanduser() != self._confirming
        ):
            self._unconfirm()
            self._status(FORMAT_HELP.get(self._chosen("export-format"), ""))

    @on(Button.Pressed, "#export-go")
    @on(Input.Submitted, "#export-path")
    def go(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self._status("Name a destination file or folder.", "bold")
            return
        fmt = self._chosen("export-format") or "md"
        destination = Path(value).expanduser()
        force = False
        if fmt != "dir" and destination.is_dir():
            self._status(f"{destination} is a folder: name a file in it.", "bold")
            return
        if fmt != "dir" and destination.exists():
            if self._confirming != destination:
                self._confirming = destination
                self.query_one("#export-go", Button).label = "Overwrite"
                self._status(
                    f"{destination.name} exists. Press Overwrite to replace it, "
                    "or change the name.",
                    "bold",
                )
                return
            force = True
        self.dismiss(
            ExportRequest(
                scope=self._chosen("export-scope") or "filter",
                fmt=fmt,
                destination=destination,
                include_all=self.query_one("#export-all", Checkbox).value,
                force=force,
            )
        )

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
