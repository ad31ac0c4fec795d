"""The command palette (`ctrl+p`): every action the keys offer, findable by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.bindings import PALETTE, Command


class PaperdeckCommands(Provider):
    def _available(self) -> list[Command]:
        screen = self.screen
        return [
            command
            for command in PALETTE
            if command.action.startswith("app.")
            or hasattr(screen, f"action_{command.action.split('(')[0]}")
        ]

    async def discover(self) -> Hits:
        for command in self._available():
            yield DiscoveryHit(
                f"{command.name}  ({command.key})",
                partial(self.screen.run_action, command.action),
                help=command.help,
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._available():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(f"{command.name}  ({command.key})"),
                    partial(self.screen.run_action, command.action),
                    help=command.help,
                )
