"""Chinese full-text search without extensions (S7), the same SQL on SQLite and PostgreSQL.

Chinese is written without spaces, so there are no words to index without a dictionary. Instead
each run of Han characters is cut into overlapping character bigrams (余额有效期 → 余额 额有 有效
效期) plus its single characters, and ASCII letters/digits into lowercased words (RFID-SIM → rfid,
sim). Each article's distinct terms live in ``kb_terms`` (article_id, term, in_title, in_body),
rewritten in the same transaction as every edit. A query is cut the same way — bigrams for runs
of two or more characters, the single character for a one-character run — and articles are
ranked by the matched terms, a title match weighing more than a body match."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Select, case, delete, func, insert, select
from sqlalchemy.orm import Session

from yikatong.knowledge.models import ArticleTerm

TITLE_WEIGHT = 3
BODY_WEIGHT = 1
MAX_TERM = 32  # kb_terms.term length
MAX_QUERY_TERMS = 200  # a long work-order description is cut here: plenty to rank by
SNIPPET_CHARS = 90

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"([{_HAN}]+)|([a-z0-9]+)")


def fold(text: str) -> str:
    """Full-width → half-width and lower case, one character for one, so offsets in the folded
    text are offsets in the original (needed to highlight the original)."""
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch).lower()
        out.append(n if len(n) == 1 else ch.lower())
    return "".join(out)


def _runs(text: str) -> list[tuple[str, bool]]:
    return [(m.group(0), m.group(1) is not None) for m in _RUNS.finditer(fold(text))]


def index_terms(text: str) -> set[str]:
    """Every term an article's text can be found by: bigrams and single characters of Han runs,
    ASCII words."""
    terms: set[str] = set()
    for run, han in _runs(text):
        if han:
            terms.update(run)
            terms.update(run[i:i + 2] for i in range(len(run) - 1))
        else:
            terms.add(run[:MAX_TERM])
    return terms


def query_terms(text: str) -> list[str]:
    """The terms of a query, in order of first appearance, at most ``MAX_QUERY_TERMS``."""
    seen: dict[str, None] = {}
    for run, han in _runs(text):
        if not han:
            seen.setdefault(run[:MAX_TERM])
        elif len(run) == 1:
            seen.setdefault(run)
        else:
            for i in range(len(run) - 1):
                seen.setdefault(run[i:i + 2])
        if len(seen) >= MAX_QUERY_TERMS:
            break
    return list(seen)[:MAX_QUERY_TERMS]


def reindex(db: Session, *, article_id: int, title: str, body: str) -> None:
    """Replace an article's terms; call in the transaction that changes its text."""
    db.execute(delete(ArticleTerm).where(ArticleTerm.article_id == article_id))
    in_title, in_body = index_terms(title), index_terms(body)
    rows = [{"article_id": article_id, "term": term, "in_title": term in in_title, "in_body": term in in_body}
            for term in sorted(in_title | in_body)]
    if rows:
        db.execute(insert(ArticleTerm), rows)


def scores(terms: list[str]) -> Select:
    """(article_id, score, matched) of every article holding at least one of ``terms``."""
    score = func.sum(case((ArticleTerm.in_title, TITLE_WEIGHT), else_=0)
                     + case((ArticleTerm.in_body, BODY_WEIGHT), else_=0))
    return (select(ArticleTerm.article_id, score.label("score"), func.count().label("matched"))
            .where(ArticleTerm.term.in_(terms)).group_by(ArticleTerm.article_id))


@dataclass(frozen=True)
class Segment:
    text: str
    hit: bool


def marks(text: str, terms: list[str]) -> list[bool]:
    """For each character of ``text``: is it part of an occurrence of one of ``terms``?"""
    folded, hit = fold(text), [False] * len(text)
    for term in terms:
        start = folded.find(term)
        while start != -1:
            for i in range(start, start + len(term)):
                hit[i] = True
            start = folded.find(term, start + 1)
    return hit


def segments(text: str, terms: list[str]) -> list[Segment]:
    """``text`` cut into runs of matched and unmatched characters, for highlighting (the template
    escapes each part, so no markup is built from article text)."""
    hit = marks(text, terms)
    out: list[Segment] = []
    for ch, h in zip(text, hit, strict=True):
        if out and out[-1].hit == h:
            out[-1] = Segment(out[-1].text + ch, h)
        else:
            out.append(Segment(ch, h))
    return out


def snippet(body: str, terms: list[str], *, size: int = SNIPPET_CHARS) -> str:
    """About ``size`` characters of the body around its first match (its start if none)."""
    flat = " ".join(body.split())
    hit = marks(flat, terms) if terms else []
    first = hit.index(True) if True in hit else 0
    start = max(0, min(first - size // 4, len(flat) - size))
    piece = flat[start:start + size]
    return ("…" if start > 0 else "") + piece + ("…" if start + size < len(flat) else "")
