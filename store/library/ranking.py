"""The Library's interest ranking: the reader's decisions train `store.search.interest`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from store.atomic import write_atomic
from store.models import Record
from store.typing_gate import Stopped

if TYPE_CHECKING:
    from store.search.interest import Interest, InterestModel

INTEREST = "interest.json"
"""When the reader last reset the interest model: only decisions after it train it."""


class Ranking:
    """Mixed into `Library`: what it needs is named here."""

    root: Path
    now: Callable[[], datetime]
    all_records: Callable[..., list[Record]]
    abstract_reader: Callable[[], AbstractContextManager[Callable[[str], str]]]

    def interest_model(
        self,
        records: Sequence[Record] | None = None,
        *,
        stopped: Callable[[], bool] = lambda: False,
    ) -> InterestModel:
        """Every paper read into the interest model (the slow part: keep it between trainings).
        `stopped`: asked between batches of papers; `Stopped` when it says so."""
        from store.search.decisions import document_of
        from store.search.interest import Document, InterestModel

        records = self.all_records(with_abstracts=False) if records is None else records

        def documents() -> Iterator[Document]:
            with self.abstract_reader() as abstract_of:  # one at a time: the file is large
                for start in range(0, len(records), 250):
                    for record in records[start : start + 250]:
                        yield document_of(record, abstract_of(record.id))
                    # Seconds of pure Python on a large library: between batches, let a UI
                    # thread in, and stop if the process is closing.
                    time.sleep(0)
                    if stopped():
                        raise Stopped

        model = InterestModel.read(documents)
        return model

    def interest(
        self, records: Sequence[Record] | None = None, model: InterestModel | None = None
    ) -> Interest:
        """The reader's interest trained on their decisions since the last reset."""
        from store.search.interest import can_learn, untrained

        records = self.all_records(with_abstracts=False) if records is None else records
        decisions = self.decisions(records)
        if not can_learn(decisions):
            return untrained(decisions)  # equal scores: no paper needs reading
        model = self.interest_model(records) if model is None else model
        return model.train(decisions)

    def decisions(self, records: Sequence[Record]) -> dict[str, bool]:
        """What the reader decided about `records` since the last reset of the model."""
        from store.search.decisions import decisions_of

        return decisions_of(records, self.interest_reset_at())

    def interest_reset_at(self) -> str | None:
        """The time of the last `reset_interest`, or None; a damaged mark counts as none."""
        try:
            data = json.loads((self.root / INTEREST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        stamp = data.get("reset") if isinstance(data, dict) else None
        return stamp if isinstance(stamp, str) else None

    def reset_interest(self) -> str:
        """Forget the model: decisions stay, but only those made from now on will train it."""
        stamp = self.now().isoformat(timespec="seconds")
        write_atomic(self.root / INTEREST, json.dumps({"reset": stamp}).encode())
        return stamp
