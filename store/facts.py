"""A paper's facts as labelled lines: what the abstract screen, `paperdeck show` and the
Markdown export say about a paper, written once (a new field is added here, not in three places).

Values are raw store strings: each front end cleans them on the way to its terminal or file.
"""

from __future__ import annotations

from store.models import Paper, Record, Repo

Fact = tuple[str, str]
"""(label, value); an empty label continues the fact above (a repository's description)."""


def author_count(count: int | None) -> str:
    if count is None:
        return ""
    return f"{count} author{'s' if count != 1 else ''}"


def authors(record: Record) -> str:
    """The authors' names (from arXiv, else from a pull), else how many the listing counted."""
    return ", ".join(record.authors) or author_count(record.paper.authors_count)


def organization(paper: Paper) -> str:
    return " ".join(filter(None, (paper.organization, paper.organization_name)))


def repo_summary(repo: Repo) -> str:
    """`owner/name  ★ 120  MIT  archived  pushed 2024-05-01`, or the name and what went wrong."""
    parts = [repo.name]
    if repo.status != "ok":
        parts.append(repo.status)
    else:
        if repo.stars is not None:
            parts.append(f"★ {repo.stars}")
        if repo.license:
            parts.append(repo.license)
        if repo.archived:
            parts.append("archived")
        if repo.pushed_at:
            parts.append(f"pushed {repo.pushed_at[:10]}")
    return "  ".join(parts)


def facts(record: Record) -> list[Fact]:
    """Every fact worth showing about `record`, in reading order; empty values left out."""
    paper, enrichment, state = record.paper, record.enrichment, record.state
    rows: list[Fact] = [
        ("id", paper.id),
        ("citekey", " ".join(filter(None, (record.citekey, *record.citekey_aliases)))),
        ("published", paper.published or "unknown"),
        ("upvotes", "" if paper.upvotes is None else str(paper.upvotes)),
        ("authors", authors(record)),
        ("organization", organization(paper)),
    ]
    if record.arxiv_id:
        version = f"v{record.version}" if record.version else ""
        categories = " ".join(record.categories)
        rows.append(("arXiv", f"{record.arxiv_id}{version}  {categories}".strip()))
    rows.append(("DOI", record.doi or ""))
    rows.append(("journal", record.journal_ref or ""))
    for repo in enrichment.repos:
        rows.append(("repo", repo_summary(repo)))
        rows.append(("", repo.description or ""))
    queue = f"  · queue #{record.queue_position}" if record.queued else ""
    rows.append(("status", state.status + queue))
    rows.append(("tags", " ".join(state.tags) or "—"))
    rows.append(("sources", ", ".join(paper.sources)))
    return [(label, value) for label, value in rows if value]
