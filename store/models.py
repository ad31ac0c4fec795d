"""The records paperdeck keeps, and the JSON contract scripts rely on.

A paper's facts come from three places kept in separate files so that a write to one never
rewrites another: the catalog (parsed listings), the user's state (tags, note, status, queue)
and enrichment (arXiv and GitHub facts).  `Record` joins them for display, queries and export.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

STATUSES: tuple[str, ...] = ("unread", "reading", "read", "dismissed")
"""`dismissed`: not interested (a triage `x`), apart from `read`, finished reading."""


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper as the listings describe it (the catalog)."""

    id: str
    title: str
    abstract: str = ""
    authors_count: int | None = None
    organization: str | None = None
    organization_name: str | None = None
    published: str | None = None
    """`YYYY-MM-DD`, or None when the listing gives no date or no knowable year."""
    upvotes: int | None = None
    links: tuple[str, ...] = ()
    github: tuple[str, ...] = ()
    """Repositories linked from the abstract, normalised to `owner/repo`."""
    sources: tuple[str, ...] = ()
    """Listing file names this paper appeared in."""
    added: str = ""
    """ISO-8601 UTC timestamp of the import that first saw the paper."""
    arxiv_id: str | None = None
    """Without the version suffix; from a pull (Hugging Face, arXiv RSS) or a saved HF file."""
    authors: tuple[str, ...] = ()
    """Author names in order, where the source lists them (pulls do; text dumps only count)."""
    categories: tuple[str, ...] = ()
    """arXiv categories an RSS pull listed the paper under."""
    doi: str | None = None
    journal_ref: str | None = None
    version: int | None = None
    """The newest arXiv version a pull announced (`replace` raises it)."""
    github_stars: int | None = None
    """Stars of the paper's first repository as Hugging Face last reported them."""


@dataclass(frozen=True, slots=True)
class UserState:
    """What the user has done with a paper: the part of the store that must never be lost."""

    tags: tuple[str, ...] = ()
    note: str = ""
    status: str = "unread"
    triaged: bool = False
    duplicate_of: str | None = None
    """Set when the user merged this paper into another (a near-duplicate): it is hidden."""
    updated: str = ""

    @property
    def has_note(self) -> bool:
        """A note of only spaces and blank lines is no note (lists, filters and exports agree)."""
        return bool(self.note.strip())


@dataclass(frozen=True, slots=True)
class Repo:
    """Facts about one GitHub repository linked from a paper."""

    name: str
    stars: int | None = None
    description: str | None = None
    license: str | None = None
    pushed_at: str | None = None
    archived: bool | None = None
    status: str = "ok"
    """`ok`, `not_found`, or a one-word error such as `error`, `malformed`, `forbidden`."""
    etag: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "stars": self.stars,
            "description": self.description,
            "license": self.license,
            "pushed_at": self.pushed_at,
            "archived": self.archived,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class Enrichment:
    """What arXiv and GitHub said about a paper; empty until `paperdeck fetch` runs."""

    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    arxiv_categories: tuple[str, ...] = ()
    pdf_url: str | None = None
    arxiv_status: str | None = None
    """None (never asked), `ok`, `not_found`, or an error word."""
    arxiv_checked: str | None = None
    repos: tuple[Repo, ...] = ()
    doi: str | None = None
    journal_ref: str | None = None
    """Where the paper was published, as the authors told arXiv (`J. Chem. Phys. 115, 1626`)."""
    primary_category: str | None = None
    version: int | None = None
    """The latest arXiv version seen by `fetch`."""


@dataclass(frozen=True, slots=True)
class Record:
    """A paper with its user state and enrichment: what lists, queries and exports see."""

    paper: Paper
    state: UserState = field(default_factory=UserState)
    queue_position: int | None = None
    enrichment: Enrichment = field(default_factory=Enrichment)
    citekey: str | None = None
    """The paper's citation key once one was assigned; it never changes by itself."""
    citekey_aliases: tuple[str, ...] = ()
    """Keys this paper was cited by before (merged duplicates, `rekey`)."""

    @property
    def id(self) -> str:
        return self.paper.id

    @property
    def title(self) -> str:
        return self.paper.title

    @property
    def doi(self) -> str | None:
        return self.enrichment.doi or self.paper.doi

    @property
    def journal_ref(self) -> str | None:
        """Where the paper was published: arXiv's answer to `fetch`, else what a pull said."""
        return self.enrichment.journal_ref or self.paper.journal_ref

    @property
    def primary_category(self) -> str | None:
        return self.enrichment.primary_category or next(iter(self.categories), None)

    @property
    def version(self) -> int | None:
        return self.enrichment.version or self.paper.version

    @property
    def queued(self) -> bool:
        return self.queue_position is not None

    @property
    def arxiv_id(self) -> str | None:
        """What arXiv matched on `fetch`, else what a pull said."""
        return self.enrichment.arxiv_id or self.paper.arxiv_id

    @property
    def authors(self) -> tuple[str, ...]:
        """Names in order: arXiv's after `fetch`, else a pull's (never the organisation)."""
        return self.enrichment.authors or self.paper.authors

    @property
    def categories(self) -> tuple[str, ...]:
        return self.enrichment.arxiv_categories or self.paper.categories

    @property
    def touched(self) -> bool:
        """Has user state, a queue place or enrichment: untouched papers answer filters alike."""
        return (
            self.queue_position is not None
            or self.state != _UNTOUCHED_STATE
            or self.enrichment != _UNTOUCHED_ENRICHMENT
        )

    def with_state(self, state: UserState) -> Record:
        return replace(self, state=state)

    def best_link(self) -> str | None:
        """arXiv abstract page, else the first GitHub repository, else the first link."""
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        for link in self.paper.links:
            if "arxiv.org/" in link:
                return link
        if self.paper.github:
            return f"https://github.com/{self.paper.github[0]}"
        return self.paper.links[0] if self.paper.links else None

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract of `list --json`, `show --json` and `export --format json`."""
        p, s, e = self.paper, self.state, self.enrichment
        return {
            "id": p.id,
            "citekey": self.citekey,
            "citekey_aliases": list(self.citekey_aliases),
            "title": p.title,
            "abstract": p.abstract,
            "authors_count": p.authors_count,
            "organization": p.organization,
            "published": p.published,
            "upvotes": p.upvotes,
            "links": list(p.links),
            "github": list(p.github),
            "sources": list(p.sources),
            "tags": list(s.tags),
            "status": s.status,
            "queue_position": self.queue_position,
            "note": s.note,
            "arxiv_id": self.arxiv_id,
            "authors": list(self.authors),
            "arxiv_categories": list(e.arxiv_categories),
            "categories": list(self.categories),
            "doi": self.doi,
            "journal_ref": self.journal_ref,
            "primary_category": self.primary_category,
            "version": self.version,
            "github_stars": p.github_stars,
            "pdf_url": e.pdf_url,
            "repos": [r.to_json() for r in e.repos],
        }


_UNTOUCHED_STATE = UserState()
_UNTOUCHED_ENRICHMENT = Enrichment()


@dataclass(frozen=True)
class Change:
    """What one user action did, enough to undo it without touching anything changed since."""

    description: str
    before: dict[str, UserState]
    after: dict[str, UserState]
    queue_before: tuple[str, ...] | None = None
    queue_after: tuple[str, ...] | None = None
    followed: dict[str, str] = field(default_factory=dict)
    """Papers asked for that the user had merged away, each with the paper the change went to."""
    kept: tuple[str, ...] = ()
    """Undo only: papers left as they are because someone changed them since."""
    queue_kept: bool = False
    """Undo only: the queue was changed since and could be restored only in part, or not."""

    @property
    def empty(self) -> bool:
        return self.before == self.after and self.queue_before == self.queue_after

    @property
    def restored(self) -> tuple[str, ...]:
        """Undo only: the papers whose state it put back."""
        return tuple(pid for pid in self.before if self.before[pid] != self.after[pid])


@dataclass
class ImportReport:
    """What an import read and what it did to the catalog."""

    files: list[str] = field(default_factory=list)
    listings: int = 0
    new: int = 0
    merged: int = 0
    """Papers already in the library that the listings changed (sources, figures, version)."""
    unchanged: int = 0
    skipped: int = 0
    """Replacement announcements of papers the library does not have: never added."""
    new_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What the import changed about records (an abstract cut to its maximum size)."""
