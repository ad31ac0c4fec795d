"""A pull killed at any moment leaves the catalog as before or as after the page."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

from store.library import Library
from tests.fakes.api import FakeApi, Reply
from tests.tui.cli.test_commands import PAPERDECK

ITEMS = 2000


def big_feed() -> bytes:
    items = "".join(
        f"<item><title>Killed pull paper {n}</title><link>https://arxiv.org/abs/2509.{n:05d}</link>"
        f"<description>arXiv:2509.{n:05d}v1 Announce Type: new \nAbstract: {'words ' * 150}"
        f"</description><category>cs.LG</category><arxiv:announce_type>new</arxiv:announce_type>"
        f"<dc:creator>A One, B Two</dc:creator></item>"
        for n in range(ITEMS)
    )
    return (
        '<?xml version="1.0"?><rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>'
        f"<title>cs.LG</title>{items}</channel></rss>"
    ).encode()


def test_a_killed_pull_leaves_the_catalog_as_before_or_as_after(
    api: FakeApi, tmp_path: Path
) -> None:
    api.rss("cs.LG", Reply(body=big_feed()))
    rng = random.Random(13)
    env = {
        **os.environ,
        "PAPERDECK_ARXIV_RSS": f"{api.base}/rss",
        "PAPERDECK_ARXIV_DELAY": "0",
    }
    # How long a whole pull takes here, so the kills can fall anywhere in it.
    start = time.perf_counter()
    done = subprocess.run(
        [PAPERDECK, "--db", str(tmp_path / "whole"), "pull", "arxiv", "cs.LG"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    duration = time.perf_counter() - start
    outcomes = {"before": 0, "after": 0}
    for round_number in range(10):
        db = tmp_path / f"db{round_number}"
        Library.open(db)  # an empty store: "before" has no catalog at all
        child = subprocess.Popen(
            [PAPERDECK, "--db", str(db), "pull", "arxiv", "cs.LG"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * (0.3 + rng.random() * 1.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        catalog = db / "catalog.json"
        if not catalog.exists():
            outcomes["before"] += 1
            continue
        papers = json.loads(catalog.read_bytes())["papers"]
        assert len(papers) == ITEMS, f"round {round_number}: a torn catalog ({len(papers)})"
        Library(db).check_usable()
        outcomes["after"] += 1
    # The kills fell at different moments: the test saw both sides of the write, or it proves
    # less than it claims (it still checked every round).
    print(outcomes, duration)
