"""Store documents to dataclasses and back: the one place that knows the files' layout."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from operator import methodcaller
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
        "arxiv_id": paper.arxiv_id,
        "authors": list(paper.authors),
        "categories": list(paper.categories),
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "version": paper.version,
        "github_stars": paper.github_stars,
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
        get("arxiv_id"),
        tuple(get("authors") or ()),
        tuple(get("categories") or ()),
        get("doi"),
        get("journal_ref"),
        get("version"),
        get("github_stars"),
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


DEFAULT_DOC: dict[str, Any] = {
    k: v for k, v in state_doc("", UserState()).items() if k not in ("id", "updated")
}
"""A paper's state document before the user did anything with it."""


def changed_doc(
    stored: dict[str, Any] | None, paper: str, old: UserState, new: UserState
) -> dict[str, Any]:
    """The stored document with the fields that changed from `old` to `new`: fields this
    version does not know (written by a newer one on another device) stay as they were."""
    doc = dict(stored or {})
    doc.pop("doc_id", None)
    old_doc, new_doc = state_doc(paper, old), state_doc(paper, new)
    for name, value in new_doc.items():
        if name not in doc or old_doc.get(name) != value:
            doc[name] = value
    return doc


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


def queue_ranks(content: dict[str, Any]) -> dict[str, str]:
    """Each queued paper's rank (see store/sync/ranks.py); empty for a queue saved before."""
    for doc in content.get(QUEUE_TABLE, {}).values():
        ranks = doc.get("ranks") if isinstance(doc, dict) else None
        if isinstance(ranks, dict):
            return {k: v for k, v in ranks.items() if isinstance(v, str)}
    return {}


def queue_from(content: dict[str, Any]) -> list[str]:
    for doc in content.get(QUEUE_TABLE, {}).values():
        ids = doc.get("ids") if isinstance(doc, dict) else None
        if isinstance(ids, list):
            return list(dict.fromkeys(i for i in ids if isinstance(i, str)))
    return []


# -- validation on read ---------------------------------------------------------------------
# JSON that parses can still hold a number where a list belongs (a hand edit, another tool):
# every document is checked on read, so a bad value is reported once, naming the file and the
# field, instead of crashing a command later or showing an empty list.

_STR, _INT, _BOOL, _NONE = (str,), (int,), (bool,), (type(None),)
_STRS = "list of strings"
_Field = tuple[str, object, bool]  # name, allowed types (or _STRS), required

FIELDS: dict[str, dict[str, tuple[_Field, ...]]] = {
    "catalog": {
        PAPERS_TABLE: (
            ("id", _STR, True),
            ("title", _STR, True),
            ("authors_count", _INT + _NONE, False),
            ("organization", _STR + _NONE, False),
            ("organization_name", _STR + _NONE, False),
            ("published", _STR + _NONE, False),
            ("upvotes", _INT + _NONE, False),
            ("links", _STRS, False),
            ("github", _STRS, False),
            ("sources", _STRS, False),
            ("added", _STR + _NONE, False),
            ("arxiv_id", _STR + _NONE, False),
            ("authors", _STRS, False),
            ("categories", _STRS, False),
            ("doi", _STR + _NONE, False),
            ("journal_ref", _STR + _NONE, False),
            ("version", _INT + _NONE, False),
            ("github_stars", _INT + _NONE, False),
        )
    },
    "inboxes": {
        "inboxes": (
            ("name", _STR, True),
            ("query", _STR, True),
            ("opened", _STR + _NONE, False),
        )
    },
    "pulls": {
        "feeds": (
            ("key", _STR, True),
            ("etag", _STR + _NONE, False),
            ("last_modified", _STR + _NONE, False),
            ("pulled", _STR + _NONE, False),
        )
    },
    "abstracts": {PAPERS_TABLE: (("id", _STR, True), ("abstract", _STR + _NONE, False))},
    "state": {
        PAPERS_TABLE: (
            ("id", _STR, True),
            ("tags", _STRS, False),
            ("note", _STR + _NONE, False),
            ("status", _STR + _NONE, False),
            ("triaged", _BOOL + _NONE, False),
            ("duplicate_of", _STR + _NONE, False),
            ("updated", _STR + _NONE, False),
        ),
        QUEUE_TABLE: (("ids", _STRS, True),),
    },
    "enrichment": {
        PAPERS_TABLE: (
            ("id", _STR, True),
            ("arxiv_id", _STR + _NONE, False),
            ("authors", _STRS, False),
            ("arxiv_categories", _STRS, False),
            ("pdf_url", _STR + _NONE, False),
            ("arxiv_status", _STR + _NONE, False),
            ("arxiv_checked", _STR + _NONE, False),
            ("repos", (list,) + _NONE, False),
        )
    },
}
_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
    list: "a list",
    dict: "an object",
}


def _kind_of(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _bad_value(value: object, allowed: object) -> str | None:
    """What is wrong with `value` for a field allowing `allowed`, or None."""
    if allowed == _STRS:
        if value is None:
            return None
        if type(value) is not list:
            return f"should be a {_STRS}, found {_kind_of(value)}"
        for item in value:
            if type(item) is not str:
                return f"should be a {_STRS}, found {_kind_of(item)} in it"
        return None
    assert isinstance(allowed, tuple)
    if type(value) in allowed:
        return None
    expected = " or ".join(_TYPE_NAMES[t] for t in allowed)
    return f"should be {expected}, found {_kind_of(value)}"


class _Missing:
    pass


_MISSING = _Missing()


def _types_fit(docs: list[Any], fields: tuple[_Field, ...]) -> bool:
    """True when every document certainly fits `fields`; the check runs in C (map over
    methodcaller), about 2 ms a field at 100k papers, so every load can afford it."""
    if set(map(type, docs)) - {dict}:
        return False
    for name, allowed, required in fields:
        found = set(map(type, map(methodcaller("get", name, _MISSING), docs)))
        if not required:
            found.discard(_Missing)
        if allowed == _STRS:
            if found - {list, type(None)}:
                return False
            values = filter(None, map(methodcaller("get", name), docs))
            if set(map(type, chain.from_iterable(values))) - {str}:
                return False
        elif found - set(allowed):  # type: ignore[call-overload]
            return False
    return True


def document_problem(kind: str, content: dict[str, Any]) -> str | None:
    """The first wrongly typed value in a store file's documents, said in one line; None when
    every document has the types paperdeck reads.  Unknown fields are left alone (a newer
    paperdeck of the same schema may add some)."""
    for table, fields in FIELDS.get(kind, {}).items():
        documents = content.get(table, {})
        if _types_fit(list(documents.values()), fields):
            continue
        for slot, doc in documents.items():
            where = f"{table} document {str(slot)[:20]!r}"
            if type(doc) is not dict:
                return f"{where} should be an object, found {_kind_of(doc)}"
            for name, allowed, required in fields:
                if name not in doc:
                    if required:
                        return f"{where} has no {name!r}"
                    continue
                problem = _bad_value(doc[name], allowed)
                if problem is not None:
                    pid = doc.get("id")
                    named = f" (id {pid[:20]!r})" if isinstance(pid, str) and name != "id" else ""
                    return f"{where}{named}: {name!r} {problem}"
    return None
