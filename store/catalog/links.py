"""The links of an abstract: every URL in it, cleaned of what a text dump glues onto them, and
the GitHub repositories among them (`owner/repo`)."""

from __future__ import annotations

import re

URL_RE = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)
GITHUB_RE = re.compile(
    r"^https?://(?:www\.)?github\.com/([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]{1,100})",
    re.IGNORECASE,
)
GITHUB_NOT_OWNERS = frozenset(
    {"about", "features", "orgs", "topics", "sponsors", "settings", "marketplace", "collections"}
)
TRAILING_PUNCTUATION = ".,;:!?'\")]}>*"


def clean_url(url: str) -> str:
    """Trim what the dump glued onto a URL: LaTeX remnants such as `{label}`, then punctuation."""
    url = url.split("{", 1)[0]
    while url and url[-1] in TRAILING_PUNCTUATION:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break  # a balanced parenthesis belongs to the URL (Wikipedia-style paths)
        url = url[:-1]
    return url


def github_repo(url: str) -> str | None:
    """`owner/repo` for a link to a GitHub repository (or anything inside one), else None."""
    match = GITHUB_RE.match(url)
    if match is None:
        return None
    owner, repo = match.group(1), match.group(2)
    if repo.lower().endswith(".git"):
        repo = repo[:-4]
    repo = repo.rstrip(".")
    if not repo or owner.lower() in GITHUB_NOT_OWNERS:
        return None
    return f"{owner}/{repo}"


def extract_links(abstract: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every URL in the abstract (cleaned, in order) and the GitHub repositories among them."""
    links: list[str] = []
    repos: list[str] = []
    seen_repos: set[str] = set()
    for raw in find_urls(abstract):
        url = clean_url(raw)
        if len(url) <= len("https://") or url in links:
            continue
        links.append(url)
        repo = github_repo(url)
        if repo is not None and repo.casefold() not in seen_repos:
            seen_repos.add(repo.casefold())
            repos.append(repo)
    return tuple(links), tuple(repos)


def find_urls(text: str) -> list[str]:
    """`URL_RE.findall(text)`, trying the expression only where a URL can start: 4 or 5
    characters before a "://" (a case-blind search runs character by character through the
    whole text, and abstracts are 150 MB of an import)."""
    found: list[str] = []
    end = 0  # matches do not overlap: the next starts at or after the previous one's end
    at = text.find("://")
    while at >= 0:
        for start in (at - 5, at - 4):  # `https?` is 4 or 5 characters, case-folded one by one
            if start >= end:
                match = URL_RE.match(text, start)
                if match is not None:
                    found.append(match.group())
                    end = match.end()
                    break
        at = text.find("://", max(at + 3, end))
    return found
