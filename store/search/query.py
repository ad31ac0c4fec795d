"""Old home of the query language and the engine, kept so `tui/` imports keep working while the
front end moves to `store.search.language` and `store.search.index` (issue 12)."""

from store.errors import QueryError
from store.search.index import SearchIndex, search
from store.search.language import SORTS, Query, parse_query

__all__ = ["SORTS", "Query", "QueryError", "SearchIndex", "parse_query", "search"]
