"""Store documents to dataclasses and back: the one place that knows the files' layout."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from store.models import STATUSES, Enrichment, Paper, Repo, UserState

PAPERS_TABLE = "papers"
QUEUE_TABLE = "queue"


def paper_doc(paper: Paper) -> dict[str, Any]:
    return {
        "id": paper.id,
        "title": paper.title,
        "authors_count": paper.authors_count,
        "organization": paper.organization,
        "organization_name": paper.organization_name,
        "published": paper.published,
        "upvotes": paper.upvotes,
        "links": list(paper.links),
        "github": list(paper.github),
        "sources": list(paper.sources),
        "added": paper.added,
    }


def paper_from(doc: dict[str, Any], abstract: str = "") -> Paper:
    get = doc.get  # positional and bound: this runs once per paper on every load
    return Paper(
        doc["id"],
        doc["title"],
        abstract,
        get("authors_count"),
        get("organization"),
        get("organization_name"),
        get("published"),
        get("upvotes"),
        tuple(get("links") or ()),
        tuple(get("github") or ()),
        tuple(get("sources") or ()),
        get("added") or "",
    )


def state_from(doc: dict[str, Any]) -> UserState:
    status = doc.get("status")
    return UserState(
        tags=tuple(doc.get("tags") or ()),
        note=doc.get("note") or "",
        status=status if status in STATUSES else "unread",
        triaged=bool(doc.get("triaged")),
        duplicate_of=doc.get("duplicate_of") if isinstance(doc.get("duplicate_of"), str) else None,
        updated=doc.get("updated") or "",
    )


def state_doc(paper: str, state: UserState) -> dict[str, Any]:
    return {
        "id": paper,
        "tags": list(state.tags),
        "note": state.note,
        "status": state.status,
        "triaged": state.triaged,
        "duplicate_of": state.duplicate_of,
        "updated": state.updated,
    }


def enrichment_from(doc: dict[str, Any]) -> Enrichment:
    repos = tuple(
        Repo(**{k: v for k, v in r.items() if k in Repo.__dataclass_fields__})
        for r in doc.get("repos") or ()
        if isinstance(r, dict) and isinstance(r.get("name"), str)
    )
    return Enrichment(
        arxiv_id=doc.get("arxiv_id"),
        authors=tuple(doc.get("authors") or ()),
        arxiv_categories=tuple(doc.get("arxiv_categories") or ()),
        pdf_url=doc.get("pdf_url"),
        arxiv_status=doc.get("arxiv_status"),
        arxiv_checked=doc.get("arxiv_checked"),
        repos=repos,
        doi=_text(doc.get("doi")),
        journal_ref=_text(doc.get("journal_ref")),
        primary_category=_text(doc.get("primary_category")),
        version=doc.get("version") if type(doc.get("version")) is int else None,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def enrichment_doc(paper: str, e: Enrichment) -> dict[str, Any]:
    return {
        "id": paper,
        "arxiv_id": e.arxiv_id,
        "authors": list(e.authors),
        "arxiv_categories": list(e.arxiv_categories),
        "pdf_url": e.pdf_url,
        "arxiv_status": e.arxiv_status,
        "arxiv_checked": e.arxiv_checked,
        "repos": [{**r.to_json(), "etag": r.etag} for r in e.repos],
        "doi": e.doi,
        "journal_ref": e.journal_ref,
        "primary_category": e.primary_category,
        "version": e.version,
    }


def table_docs(content: dict[str, Any], table: str) -> Iterable[dict[str, Any]]:
    for doc in content.get(table, {}).values():
        if isinstance(doc, dict) and isinstance(doc.get("id"), str):
            yield doc


def queue_from(content: dict[str, Any]) -> list[str]:
    for doc in content.get(QUEUE_TABLE, {}).values():
        ids = doc.get("ids") if isinstance(doc, dict) else None
        if isinstance(ids, list):
            return list(dict.fromkeys(i for i in ids if isinstance(i, str)))
    return []
