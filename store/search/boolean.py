"""`OR`, parentheses and `-( … )` in queries, turned into alternatives of plain terms.

    (sparse OR dense) attention -(tag:done OR is:read)

Terms side by side must all match (AND, which binds tighter than OR); `OR` (upper case, so the
word "or" stays searchable) offers alternatives; `-` before a term or a group excludes it. The
query becomes a short list of clauses, each a list of plain terms, any clause matching (the
disjunctive normal form), so every clause runs through the same fast search as a query
without OR does.
"""

from __future__ import annotations

from typing import NamedTuple

from store.errors import QueryError

MAX_CLAUSES = 64
"""More alternatives than this come from a query no one means (a dozen ORs in a row)."""


class Term(NamedTuple):
    text: str
    """The term as typed, without its leading `-`: a word, "a phrase" or key:value."""
    negated: bool = False

    def inverted(self) -> Term:
        return Term(self.text, not self.negated)


Clause = tuple[Term, ...]


def tokens(text: str) -> list[str]:
    """Split on whitespace and around parentheses, keeping "quoted parts" (also `key:"a b"`)
    together; `-(` stays one token (an excluded group)."""
    found: list[str] = []
    current: list[str] = []
    quoted = False

    def flush() -> None:
        if current:
            found.append("".join(current))
            current.clear()

    for char in text:
        if char == '"':
            quoted = not quoted
            current.append(char)
        elif quoted:
            current.append(char)
        elif char.isspace():
            flush()
        elif char == "(":
            if current == ["-"]:
                current.clear()
                found.append("-(")
            else:
                flush()
                found.append("(")
        elif char == ")":
            flush()
            found.append(")")
        else:
            current.append(char)
    if quoted:
        start = "".join(current)
        raise QueryError(f'bad query term {start!r}: unterminated quote; close it with "')
    flush()
    return found


def _and(left: list[Clause], right: list[Clause]) -> list[Clause]:
    combined = [a + b for a in left for b in right]
    if len(combined) > MAX_CLAUSES:
        raise QueryError(
            f"query too complex: it makes {len(combined)} alternatives (at most {MAX_CLAUSES}); "
            "use fewer OR terms inside parentheses"
        )
    return combined


def _not(clauses: list[Clause]) -> list[Clause]:
    """not (A or B) = not A and not B; not (a b) = not a or not b."""
    result: list[Clause] = [()]
    for clause in clauses:
        if not clause:  # -(AND): a group of nothing
            raise QueryError("bad query: `-( )` needs terms inside")
        result = _and(result, [(term.inverted(),) for term in clause])
    return result


class _Parser:
    def __init__(self, parts: list[str]) -> None:
        self.parts = parts
        self.at = 0

    def peek(self) -> str | None:
        return self.parts[self.at] if self.at < len(self.parts) else None

    def take(self) -> str:
        part = self.parts[self.at]
        self.at += 1
        return part

    def alternatives(self) -> list[Clause]:
        clauses = self.conjunction()
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")", "OR"):
                raise QueryError("bad query: OR needs a term on both sides, as in `a OR b`")
            clauses = clauses + self.conjunction()
            if len(clauses) > MAX_CLAUSES:
                raise QueryError(f"query too complex: more than {MAX_CLAUSES} alternatives")
        return clauses

    def conjunction(self) -> list[Clause]:
        clauses: list[Clause] = [()]
        while (part := self.peek()) is not None and part not in ("OR", ")"):
            self.take()
            if part == "AND":
                continue
            if part in ("(", "-("):
                if self.peek() == ")":
                    raise QueryError("bad query: empty parentheses `()`; put terms inside")
                inner = self.alternatives()
                if self.peek() != ")":
                    raise QueryError("bad query: unclosed `(`; close it with `)`")
                self.take()
                clauses = _and(clauses, _not(inner) if part == "-(" else inner)
            elif part.startswith("-") and len(part) > 1:
                clauses = _and(clauses, [(Term(part[1:], negated=True),)])
            else:
                clauses = _and(clauses, [(Term(part),)])
        return clauses


def clauses(text: str) -> list[Clause]:
    """The query's alternatives, each the terms that must all hold; QueryError if the
    parentheses or ORs do not make sense."""
    parts = tokens(text)
    if parts and parts[0] == "OR":
        raise QueryError("bad query: OR needs a term on both sides, as in `a OR b`")
    parser = _Parser(parts)
    found = parser.alternatives()
    if parser.peek() == ")":
        raise QueryError("bad query: `)` without a matching `(`")
    return found
