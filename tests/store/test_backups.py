"""Backups are numbered, not named by the clock, and a backup equal to the newest is not kept."""

from __future__ import annotations

import os
import time

from store.files.storage import backups_of
from store.library import Library


def test_starts_without_changes_keep_one_backup_not_twenty(library: Library) -> None:
    pid = sorted(library.papers())[0]
    library.add_tags([pid], ["x"])
    for _ in range(21):
        library.take_backups()
    backups = backups_of(library.state_file.path, library.root / "backups")
    assert len(backups) == 1
    library.add_tags([pid], ["y"])
    library.take_backups()
    backups = backups_of(library.state_file.path, library.root / "backups")
    assert len(backups) == 2
    assert b'"y"' in backups[0].read_bytes() and b'"y"' not in backups[1].read_bytes()


def test_a_backup_taken_with_the_clock_a_year_ahead_does_not_stop_the_next(
    library: Library,
) -> None:
    pid = sorted(library.papers())[0]
    library.add_tags([pid], ["first"])
    library.take_backups()
    (first,) = backups_of(library.state_file.path, library.root / "backups")
    future = time.time() + 365 * 86_400
    os.utime(first, (future, future))
    library.add_tags([pid], ["second"])  # due: the newest backup's time cannot be right
    library.add_tags([pid], ["third"])
    backups = backups_of(library.state_file.path, library.root / "backups")
    assert len(backups) == 2
    assert backups[1] == first  # ordered by number, whatever the clock said
    assert b'"second"' in backups[0].read_bytes()
