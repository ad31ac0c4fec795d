"""`paperdeck dismiss`, `paperdeck interest` and the interest in `list`, run as a user runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.tui.cli.test_commands import SEEDS, papers, run


def test_decisions_teach_the_ranking_and_reset_forgets_them(tmp_path: Path) -> None:
    db = tmp_path / "data"
    assert run("import", str(SEEDS), db=db).returncode == 0
    records = papers(db)
    wanted = [str(r["id"]) for r in records if re.search("autoregressive", str(r["title"]), re.I)]
    unwanted = [str(r["id"]) for r in records if "sparse" in str(r["title"]).casefold()]
    assert run("queue", "add", *wanted[:8], db=db).returncode == 0  # several ids at once
    dismissed = run("dismiss", *unwanted[:8], db=db)
    assert dismissed.returncode == 0 and "dismissed 8 papers" in dismissed.stdout

    listed = papers(db, "is:dismissed")
    assert sorted(str(r["id"]) for r in listed) == sorted(unwanted[:8])
    assert all(r["status"] == "dismissed" for r in listed)

    ranked = json.loads(run("list", "--sort", "interest", "--json", db=db).stdout)
    top = [r for r in ranked if r["status"] == "unread"][:5]
    assert all("autoregressive" in str(r["title"]).casefold() for r in top)
    assert all(0.5 < float(r["interest"]) < 1 for r in top)  # type: ignore[arg-type]
    assert all(r["interest_terms"] for r in top)
    text = run("list", "--sort", "interest", "--limit", "3", db=db).stdout
    assert all("autoregressive" in line.casefold() for line in text.splitlines())

    learned = json.loads(run("interest", "--json", db=db).stdout)
    assert (learned["decisions"], learned["wanted"]) == (16, 8)
    assert learned["positive"][0]["term"] == "autoregressive"
    assert any(t["term"] == "sparse" for t in learned["negative"])
    shown = run("interest", db=db)
    assert shown.returncode == 0 and "raise a paper" in shown.stdout

    reset = run("interest", "--reset", db=db)
    assert reset.returncode == 0 and "forgotten" in reset.stdout
    assert json.loads(run("interest", "--json", db=db).stdout)["decisions"] == 0
    assert len(papers(db, "is:dismissed")) == 8  # the decisions themselves stay


def test_bad_ids_and_orders_are_usage_errors(tmp_path: Path) -> None:
    db = tmp_path / "data"
    assert run("import", str(SEEDS), db=db).returncode == 0
    first = str(papers(db)[0]["id"])
    bad = run("dismiss", first, "nosuchpaper", db=db)
    assert bad.returncode == 2 and "nosuchpaper" in bad.stderr and "Traceback" not in bad.stderr
    assert papers(db, "is:dismissed") == []  # nothing written when one id is wrong
    order = run("triage", "--order", "random", db=db)
    assert order.returncode == 2 and "--order" in order.stderr
