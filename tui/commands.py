"""The command palette (`ctrl+p`): every action the keys offer, findable by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (name, help, action on the screen, key)
ACTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("Papers", "Show every paper", "app.switch_mode('papers')", "1"),
    ("Queue", "Show the reading queue", "app.switch_mode('queue')", "2"),
    ("Tags", "Show every tag with its count", "app.switch_mode('tags')", "3"),
    ("Notes", "Show papers with notes", "app.switch_mode('notes')", "4"),
    ("Overview", "Papers by year and tag, reading progress", "app.switch_mode('stats')", "5"),
    ("Filter", "Focus the filter bar", "focus_filter", "/"),
    ("Sort", "Choose the order of papers", "sort", "s"),
    ("Tag", "Add or remove tags on the selected papers", "tag", "t"),
    ("Edit note", "Write the paper's note (Markdown)", "note", "n"),
    ("Queue / unqueue", "Add papers to the reading queue or take them off", "queue", "a"),
    ("Mark read / unread", "Toggle the read status", "mark_read", "r"),
    ("Undo", "Undo the last change", "undo", "u"),
    ("Open link", "Open the paper's best link in the browser", "open_link", "o"),
    ("Copy", "Copy title and link to the clipboard", "copy", "y"),
    ("Fetch from arXiv and GitHub", "Enrich the selected papers", "fetch", "f"),
    ("Export", "Export notes to Markdown, BibTeX or JSON", "export", "e"),
    ("Triage", "One paper at a time: queue, dismiss, tag, note", "triage", "T"),
    ("Refresh", "Reload from the store", "app.reload", "ctrl+r"),
    ("Keys", "Show every key", "app.help", "?"),
)


class PaperdeckCommands(Provider):
    def _available(self) -> list[tuple[str, str, str, str]]:
        screen = self.screen
        found = []
        for name, help_text, action, key in ACTIONS:
            target = action.split("(")[0]
            if target.startswith("app.") or hasattr(screen, f"action_{target}"):
                found.append((name, help_text, action, key))
        return found

    async def discover(self) -> Hits:
        for name, help_text, action, key in self._available():
            yield DiscoveryHit(
                f"{name}  ({key})", partial(self.screen.run_action, action), help=help_text
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action, key in self._available():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(f"{name}  ({key})"),
                    partial(self.screen.run_action, action),
                    help=help_text,
                )
