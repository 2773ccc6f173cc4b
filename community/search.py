"""Search over topic titles and post bodies, for Japanese from one character up, and English.

Both sides are NFKC-normalised and case-folded (stored `search_text` columns, and the query).
Terms of three or more characters use the trigram index: pg_trgm (GIN) behind LIKE on
PostgreSQL, the FTS5 trigram tables on SQLite. Shorter terms cannot use a trigram index, so they
scan the base table (strpos on PostgreSQL, LIKE on SQLite, whose FTS5 trigram answers nothing
for short non-ASCII patterns). Results respect visibility and highlight the match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from accounts.tables import Member
from community.reading import post_url
from community.visibility import SQL, fetch_dicts, visible_sql
from core.database import is_postgres
from core.errors import DomainError
from core.i18n import N_
from core.markdown import normalize_for_search, plain_text

MAX_QUERY = 100
MAX_TERMS = 5
TRIGRAM = 3
_JOIN_MARKS = {"\u3099", "\u309a", "\uff9e", "\uff9f"}  # (half-width) voiced sound marks


@dataclass
class SearchHit:
    topic_id: int
    title: str
    title_html: Markup
    category_name: str
    kind: str
    solved: bool
    last_activity_at: Any
    post_number: int | None
    snippet: str
    snippet_html: Markup
    url: str


def query_terms(text: str | None) -> list[str]:
    """The normalised, distinct terms of a query (at most five)."""
    if text is not None and len(text) > MAX_QUERY:
        raise DomainError(N_("Keep the search to %(max)s characters or fewer."), max=MAX_QUERY)
    terms: list[str] = []
    for term in normalize_for_search(text or "").split():
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _match_sql(alias: str, fts_table: str, terms: list[str]) -> SQL:
    """All terms occur in `alias`.search_text, by trigram index where the terms allow it."""
    indexed = all(len(term) >= TRIGRAM for term in terms)
    if is_postgres():
        condition = SQL("1 = 1")
        for term in terms:
            if indexed:
                pattern = _like_pattern(term)
                condition += SQL(f" AND {alias}.search_text LIKE {{}} ESCAPE '\\'", pattern)
            else:
                condition += SQL(f" AND strpos({alias}.search_text, {{}}) > 0", term)
        return condition
    if indexed:
        phrase = " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)
        return SQL(
            f"{alias}.id IN (SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH {{}})",  # noqa: S608
            phrase,
        )
    condition = SQL("1 = 1")
    for term in terms:
        condition += SQL(f" AND {alias}.search_text LIKE {{}} ESCAPE '\\'", _like_pattern(term))
    return condition


_TITLE_SELECT = (
    "SELECT t.id AS topic_id, t.title, t.kind, t.solved, t.last_activity_at, "
    "c.name AS category_name FROM community_topic t "
    "JOIN community_category c ON c.id = t.category WHERE "
)
_BODY_SELECT = (
    "SELECT t.id AS topic_id, t.title, t.kind, t.solved, t.last_activity_at, "
    "c.name AS category_name, p.number, p.body_html FROM community_post p "
    "JOIN community_topic t ON t.id = p.topic JOIN community_category c ON c.id = t.category WHERE "
)


def title_query(member: Member, terms: list[str], limit: int) -> SQL:
    """Readable topics whose title holds every term."""
    return (
        SQL(_TITLE_SELECT)
        + visible_sql(member)
        + " AND "
        + _match_sql("t", "community_topic_fts", terms)
        + SQL(" ORDER BY t.last_activity_at DESC LIMIT {}", limit)
    )


def body_query(member: Member, terms: list[str], limit: int) -> SQL:
    """Readable posts (not deleted, not hidden) of readable topics that hold every term."""
    return (
        SQL(_BODY_SELECT)
        + visible_sql(member)
        + SQL(" AND p.deleted_at IS NULL AND p.hidden = {} AND ", False)
        + _match_sql("p", "community_post_fts", terms)
        + SQL(" ORDER BY t.last_activity_at DESC, p.number LIMIT {}", limit)
    )


async def search(member: Member, text: str | None, limit: int = 30) -> list[SearchHit]:
    """Topics whose title, or one of whose readable posts, contains every term."""
    terms = query_terms(text)
    if not terms:
        return []
    titles = title_query(member, terms, limit)
    bodies = body_query(member, terms, limit * 4)
    by_title = await fetch_dicts(titles.text, *titles.args)
    by_body = await fetch_dicts(bodies.text, *bodies.args)
    return _merge(by_title, by_body, terms, limit)


def _merge(
    by_title: list[dict[str, Any]], by_body: list[dict[str, Any]], terms: list[str], limit: int
) -> list[SearchHit]:
    found: dict[int, dict[str, Any]] = {}
    for row in by_title:
        found[row["topic_id"]] = row
    for row in by_body:
        entry = found.setdefault(row["topic_id"], row)
        if "body_html" not in entry:
            entry.update(number=row["number"], body_html=row["body_html"])
    ordered = sorted(
        found.values(), key=lambda r: (r["last_activity_at"], r["topic_id"]), reverse=True
    )
    hits = []
    for row in ordered[:limit]:
        snippet = make_snippet(plain_text(row["body_html"]), terms) if row.get("body_html") else ""
        hits.append(
            SearchHit(
                topic_id=row["topic_id"],
                title=row["title"],
                title_html=highlight(row["title"], terms),
                category_name=row["category_name"],
                kind=row["kind"],
                solved=bool(row["solved"]),
                last_activity_at=row["last_activity_at"],
                post_number=row.get("number"),
                snippet=snippet,
                snippet_html=highlight(snippet, terms),
                url=post_url(row["topic_id"], row["number"])
                if row.get("number")
                else f"/community/t/{row['topic_id']}",
            )
        )
    return hits


# --- highlighting ------------------------------------------------------------------------


def _normalised_with_map(text: str) -> tuple[str, list[tuple[int, int]]]:
    """`text` normalised for search, and for each normalised character the span of `text` it
    came from (characters and their combining marks are normalised together)."""
    clusters = re.findall(r".[\u0300-\u036f" + "".join(_JOIN_MARKS) + r"]*", text, flags=re.S)
    normalised: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for cluster in clusters:
        piece = normalize_for_search(cluster)
        normalised.append(piece)
        spans.extend([(position, position + len(cluster))] * len(piece))
        position += len(cluster)
    return "".join(normalised), spans


def _match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    normalised, spans = _normalised_with_map(text)
    found: list[tuple[int, int]] = []
    for term in terms:
        start = normalised.find(term)
        while start != -1 and term:
            end = start + len(term) - 1
            found.append((spans[start][0], spans[end][1]))
            start = normalised.find(term, start + len(term))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: list[str]) -> Markup:
    """`text` escaped, with every occurrence of a term wrapped in <mark>."""
    pieces: list[str] = []
    position = 0
    for start, end in _match_spans(text, terms):
        pieces.append(str(escape(text[position:start])))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    pieces.append(str(escape(text[position:])))
    return Markup("".join(pieces))  # noqa: S704 - every piece of user text is escaped above


def make_snippet(text: str, terms: list[str], before: int = 60, after: int = 140) -> str:
    """A piece of `text` around its first match (its start when nothing matches)."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    spans = _match_spans(text, terms)
    start = max(0, spans[0][0] - before) if spans else 0
    end = min(len(text), (spans[0][1] if spans else 0) + after)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
