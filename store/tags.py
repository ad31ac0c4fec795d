"""What a tag may be: one word a user can type in a query (`tag:x`) and in the tag input."""

from __future__ import annotations

import re
from collections.abc import Iterable

from store.errors import BadTag
from store.models import UserState

MAX_TAG_LENGTH = 64
_BAD = re.compile(r"[\s,\x00-\x1f\x7f-\x9f\"'\[\]]")


def normalise_tag(raw: str) -> str:
    """Lower-case, without a leading `#`; refuses what could not be typed back as `tag:x`."""
    tag = raw.strip().removeprefix("#").casefold()
    shown = raw.encode("unicode_escape").decode("ascii")[:40]
    if not tag:
        raise BadTag(f"empty tag {shown!r}; a tag is one word such as 'llm' or 'to-read'")
    if _BAD.search(tag):
        raise BadTag(
            f"bad tag {shown!r}: tags cannot hold spaces, commas, quotes, brackets or control "
            "characters; use '-' or '_' between words"
        )
    if tag.startswith("-"):
        raise BadTag(f"bad tag {shown!r}: a tag cannot start with '-' (that removes a tag)")
    if len(tag) > MAX_TAG_LENGTH:
        raise BadTag(f"bad tag {shown!r}: longer than {MAX_TAG_LENGTH} characters")
    return tag


def normalise_tags(raw: Iterable[str], *, allow_empty: bool = False) -> tuple[str, ...]:
    """Each tag normalised, duplicates dropped, order kept; commas split one argument in several."""
    tags: list[str] = []
    for item in raw:
        for part in item.split(","):
            if part.strip():
                tag = normalise_tag(part)
                if tag not in tags:
                    tags.append(tag)
    if not tags and not allow_empty:
        raise BadTag("no tag given; name at least one tag")
    return tuple(tags)


def count_tags(states: Iterable[UserState]) -> dict[str, int]:
    """Every tag with the number of papers carrying it, most used first."""
    counts: dict[str, int] = {}
    for state in states:
        for tag in state.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
