"""Every key of paperdeck, written once: screens bind these lists, `?` shows them, the command
palette offers them.  Each binding has an `id` so that users can remap it."""

from __future__ import annotations

from typing import NamedTuple

from textual.binding import Binding, BindingType

APP: list[BindingType] = [
    Binding("1", "switch_mode('papers')", "Papers", show=False, id="app.papers",
            tooltip="Show every paper"),
    Binding("2", "switch_mode('queue')", "Queue", show=False, id="app.queue",
            tooltip="Show the reading queue"),
    Binding("3", "switch_mode('tags')", "Tags", show=False, id="app.tags",
            tooltip="Show every tag with its count"),
    Binding("4", "switch_mode('notes')", "Notes", show=False, id="app.notes",
            tooltip="Show papers with notes"),
    Binding("5", "switch_mode('stats')", "Overview", show=False, id="app.stats",
            tooltip="Papers by year and tag, reading progress"),
    Binding("6", "switch_mode('inbox')", "Inboxes", show=False, id="app.inbox",
            tooltip="Saved searches with their new papers"),
    Binding("P", "pull", "Pull", show=False, id="app.pull",
            tooltip="Pull today's papers (Hugging Face, or what PAPERDECK_PULL names)"),
    Binding("question_mark", "help", "Help", id="app.help", tooltip="Show every key"),
    Binding("ctrl+r", "reload", "Refresh", show=False, id="app.reload",
            tooltip="Reload from the store"),
    Binding("ctrl+x", "cancel_work", "Cancel fetch or pull", show=False, id="app.cancel",
            tooltip="Cancel the fetch or pull that is running"),
]  # fmt: skip

PAPER: list[BindingType] = [
    Binding("t", "tag", "Tag", id="paper.tag", tooltip="Add or remove tags on the selected papers"),
    Binding("n", "note", "Note", id="paper.note", tooltip="Write the paper's note (Markdown)"),
    Binding("a", "queue", "Queue", id="paper.queue",
            tooltip="Add papers to the reading queue or take them off"),
    Binding("r", "mark_read", "Read", id="paper.read", tooltip="Toggle the read status"),
    Binding("R", "mark_reading", "Reading", show=False, id="paper.reading",
            tooltip="Mark as being read (again: unread)"),
    Binding("u", "undo", "Undo", id="paper.undo", tooltip="Undo the last change"),
    Binding("o", "open_link", "Open link", id="paper.open-link",
            tooltip="Open the paper's best link in the browser"),
    Binding("y", "copy", "Copy", show=False, id="paper.copy",
            tooltip="Copy title and link to the clipboard"),
    Binding("f", "fetch", "Fetch", show=False, id="paper.fetch",
            tooltip="Enrich the selected papers from arXiv and GitHub"),
    Binding("e", "export", "Export", show=False, id="paper.export",
            tooltip="Export notes to Markdown, BibTeX or JSON"),
]  # fmt: skip
"""Actions on papers, on every screen that shows them: on a list they act on the selection,
else the highlighted paper; in the abstract view on that paper."""

PAPERS: list[BindingType] = [
    # A priority binding runs when the key arrives, before the keys typed after it are
    # sent on to the list; in the filter bar itself `/` is text (see check_action).
    Binding("slash", "focus_filter", "Filter", id="papers.filter", priority=True,
            tooltip="Focus the filter bar"),
    Binding("s", "sort", "Sort", id="papers.sort", tooltip="Choose the order of papers"),
    Binding("T", "triage", "Triage", show=False, id="papers.triage",
            tooltip="One paper at a time: queue, dismiss, tag, note"),
    Binding("escape", "clear_selection", "Clear selection", show=False, id="papers.escape"),
    Binding("q", "app.quit", "Quit", id="papers.quit"),
]  # fmt: skip

TABLE: list[BindingType] = [
    Binding("down,j", "cursor_down", "Down", show=False, id="paper-table.down"),
    Binding("up,k", "cursor_up", "Up", show=False, id="paper-table.up"),
    Binding("g,home", "cursor_top", "Top", show=False, id="paper-table.top"),
    Binding("G,end", "cursor_bottom", "Bottom", show=False, id="paper-table.bottom"),
    Binding("pagedown", "page_down", "Page down", show=False, id="paper-table.page-down"),
    Binding("pageup", "page_up", "Page up", show=False, id="paper-table.page-up"),
    Binding("enter", "open", "Open", id="paper-table.open"),
    Binding("space", "toggle_select", "Select", id="paper-table.select"),
]

FILTER: list[BindingType] = [
    # Priority: run when the key arrives, so the focus is on the list before the keys typed
    # right after it are sent on (a burst of keys, a paste: else `j` went into the filter).
    Binding("escape", "clear", "Clear filter", id="filter.clear", priority=True),
    Binding("enter", "submit", "Done", show=False, id="filter.submit", priority=True),
]

ABSTRACT: list[BindingType] = [
    Binding("q", "back", "Back", id="abstract.quit", tooltip="Back where you came from"),
    Binding("escape", "back", "Back", show=False, id="abstract.back"),
    Binding("down,j", "step(1)", "Next", id="abstract.next", tooltip="The next paper of the list"),
    Binding("up,k", "step(-1)", "Previous", id="abstract.previous",
            tooltip="The previous paper of the list"),
    Binding("tab", "app.focus_next", "Links", show=False, id="abstract.links",
            tooltip="Move to the links and related papers (enter opens)"),
]  # fmt: skip

ABSTRACT_BODY: list[BindingType] = [
    Binding("pagedown,space", "page_down", "Page down", show=False, id="abstract.page-down"),
    Binding("pageup", "page_up", "Page up", show=False, id="abstract.page-up"),
    Binding("home", "scroll_home", "Top", show=False, id="abstract.top"),
    Binding("end", "scroll_end", "Bottom", show=False, id="abstract.bottom"),
]
"""The paper's text scrolls on these; `↑`/`↓` are the screen's (previous / next paper)."""

BACK_TO_PAPERS = "app.switch_mode('papers')"

QUEUE: list[BindingType] = [
    Binding("shift+up", "move(-1)", "Move up", id="queue.up"),
    Binding("shift+down", "move(1)", "Move down", id="queue.down"),
    Binding("q", BACK_TO_PAPERS, "Back", id="queue.quit", tooltip="Back to Papers"),
    Binding("escape", BACK_TO_PAPERS, "Back", show=False, id="queue.back"),
]

CHOICES: list[BindingType] = [
    Binding("j", "cursor_down", "Down", show=False, id="choice-list.down"),
    Binding("k", "cursor_up", "Up", show=False, id="choice-list.up"),
    Binding("g", "first", "Top", show=False, id="choice-list.top"),
    Binding("G", "last", "Bottom", show=False, id="choice-list.bottom"),
]
"""The lists of Tags, Notes, Links and Related move like the paper list."""

TAGS: list[BindingType] = [
    Binding("R", "rename", "Rename", id="tags.rename"),
    Binding("m", "merge", "Merge into…", id="tags.merge"),
    Binding("u", "undo", "Undo", id="tags.undo"),
    Binding("q", BACK_TO_PAPERS, "Back", id="tags.quit", tooltip="Back to Papers"),
    Binding("escape", BACK_TO_PAPERS, "Back", show=False, id="tags.back"),
]

NOTES: list[BindingType] = [
    Binding("q", BACK_TO_PAPERS, "Back", id="notes.quit", tooltip="Back to Papers"),
    Binding("escape", BACK_TO_PAPERS, "Back", show=False, id="notes.back"),
]

INBOX: list[BindingType] = [
    Binding("a", "add", "New inbox", id="inbox.add", tooltip="Save a search as an inbox"),
    Binding("d", "remove", "Remove", id="inbox.remove", tooltip="Forget the highlighted inbox"),
    Binding("q", BACK_TO_PAPERS, "Back", id="inbox.quit", tooltip="Back to Papers"),
    Binding("escape", BACK_TO_PAPERS, "Back", show=False, id="inbox.back"),
]

STATS: list[BindingType] = [
    Binding("q", BACK_TO_PAPERS, "Back", id="stats.quit", tooltip="Back to Papers"),
    Binding("escape", BACK_TO_PAPERS, "Back", show=False, id="stats.back"),
]

TRIAGE: list[BindingType] = [
    Binding("a", "decide('queued')", "Queue", id="triage.queue"),
    Binding("x", "decide('dismissed')", "Dismiss", id="triage.dismiss"),
    Binding("t", "tag", "Tag", id="triage.tag"),
    Binding("n", "note", "Note", id="triage.note"),
    Binding("s", "decide('skipped')", "Skip", id="triage.skip"),
    Binding("o", "open_link", "Open link", id="triage.open"),
    Binding("u", "undo", "Undo", id="triage.undo"),
    Binding(
        "O",
        "next_order",
        "Order",
        id="triage.order",
        tooltip="Order the papers still to come by interest, uncertainty, upvotes or date",
    ),
    Binding("q", "leave", "Leave", id="triage.quit", tooltip="Leave triage (progress is kept)"),
    Binding("escape", "leave", "Leave", show=False, id="triage.leave"),
]

# Not priority bindings: the note's text area takes these keys in the order they were typed,
# so a save sees every key before it (tui.screens.note_editor.NoteText).
NOTE_EDITOR: list[BindingType] = [
    Binding("ctrl+s", "save", "Save", id="note-editor.save"),
    Binding("escape", "close", "Save & close", id="note-editor.close"),
]

HELP: list[BindingType] = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]
TAG_INPUT: list[BindingType] = [Binding("escape", "cancel", "Cancel", id="tag-input.cancel")]
PROMPT: list[BindingType] = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]
SORT: list[BindingType] = [Binding("escape,q", "cancel", "Cancel", id="sort.cancel")]
EXPORT: list[BindingType] = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

FOOTER_DROP_ORDER = (
    "toggle_select",
    "open_link",
    "sort",
    "move(-1)",
    "move(1)",
    "merge",
    "undo",
    "step(-1)",
    "rename",
    "decide('skipped')",
    "mark_read",
    "queue",
    "note",
    "tag",
)
"""Footer keys that make way on a narrow terminal, least used first; the rest always show."""

ELSEWHERE: list[BindingType] = [
    Binding("ctrl+p", "command_palette", "Command palette", id="app.palette"),
    Binding("ctrl+q", "quit", "Quit", id="app.quit"),
]
"""Textual's own keys, listed in help beside ours."""

HELP_SECTIONS: tuple[tuple[str, list[BindingType]], ...] = (
    ("Moving around (lists)", TABLE),
    ("On a paper (list: the selection, else the highlighted paper)", PAPER),
    ("Papers screen", PAPERS),
    ("Abstract view", [*ABSTRACT, *ABSTRACT_BODY]),
    ("Queue screen", QUEUE),
    ("Tags screen", TAGS),
    ("Inboxes screen", INBOX),
    ("Triage", TRIAGE),
    ("Note editor", NOTE_EDITOR),
    ("Everywhere", [*APP, *ELSEWHERE]),
)


class Command(NamedTuple):
    """One entry of the command palette: a binding under the name users search for."""

    name: str
    help: str
    action: str
    """As the screen runs it: app actions carry the `app.` prefix."""
    key: str


def _palette() -> tuple[Command, ...]:
    names = {
        "app.papers": "Papers",
        "app.queue": "Queue",
        "app.tags": "Tags",
        "app.notes": "Notes",
        "app.stats": "Overview",
        "app.inbox": "Inboxes",
        "app.pull": "Pull today's papers",
        "papers.filter": "Filter",
        "papers.sort": "Sort",
        "paper.tag": "Tag",
        "paper.note": "Edit note",
        "paper.queue": "Queue / unqueue",
        "paper.read": "Mark read / unread",
        "paper.reading": "Mark reading / unread",
        "paper.undo": "Undo",
        "paper.open-link": "Open link",
        "paper.copy": "Copy",
        "paper.fetch": "Fetch from arXiv and GitHub",
        "paper.export": "Export",
        "papers.triage": "Triage",
        "app.reload": "Refresh",
        "app.help": "Keys",
    }
    by_id = {b.id: (b, b in APP) for b in (*APP, *PAPERS, *PAPER) if isinstance(b, Binding)}
    commands = []
    for binding_id, name in names.items():
        binding, on_app = by_id[binding_id]
        action = f"app.{binding.action}" if on_app else binding.action
        commands.append(Command(name, binding.tooltip, action, describe_keys(binding.key)))
    return tuple(commands)


def describe_keys(keys: str) -> str:
    """`question_mark,q` as users read it: `?, q`."""
    names = {"question_mark": "?", "slash": "/", "space": "space", "escape": "esc"}
    return ", ".join(names.get(k, k) for k in keys.split(","))


PALETTE = _palette()
