"""How a vector store answers a search: Qdrant's score for each distance metric, its payload
filters, and the hits in the shape the SDK reads. A point is one stored text with its vector and
metadata; its payload, which filters look at, is the metadata plus `text` (as the SDK's Qdrant
helper stores it)."""

from __future__ import annotations

import asyncio
import heapq
import math
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from operator import mul
from typing import Any

Row = dict[str, Any]
# Points scored between two yields to the event loop: a big store never stalls other clients.
POINTS_PER_STEP = 500
_ID_SPACE = uuid.UUID("5f0b7a9e-3c2d-4e1f-8a6b-9c0d1e2f3a4b")


class UnsupportedCondition(ValueError):
    """A filter condition with neither `match` nor `range`."""


def check_filter(filters: Row | None) -> None:
    """UnsupportedCondition for a condition Qdrant's FieldCondition cannot be made from (the
    SDK's helper raises the same, with the same words)."""
    for part in ("must", "must_not", "should"):
        for condition in (filters or {}).get(part) or []:
            if "match" not in condition and "range" not in condition:
                raise UnsupportedCondition(f"Unsupported condition format: {condition}")


def passes(filters: Row | None, payload: Row) -> bool:
    """Every `must` holds, no `must_not` does, and one `should` does when any is given."""
    if not filters:
        return True
    if not all(_holds(c, payload) for c in filters.get("must") or []):
        return False
    if any(_holds(c, payload) for c in filters.get("must_not") or []):
        return False
    should = filters.get("should") or []
    return not should or any(_holds(c, payload) for c in should)


def _holds(condition: Row, payload: Row) -> bool:
    values = list(_values(payload, condition["key"]))
    if "match" in condition:
        wanted = condition["match"]["value"]
        return any(_same(value, wanted) for value in values)
    bounds = condition["range"]
    return any(_within(value, bounds) for value in values)


def _values(payload: Row, key: str) -> Iterator[Any]:
    """The values at a dotted key; each item of a list counts on its own, as in Qdrant."""
    nodes: list[Any] = [payload]
    for part in key.split("."):
        found: list[Any] = []
        for node in nodes:
            if isinstance(node, dict) and part in node:
                value = node[part]
                found.extend(value if isinstance(value, list) else [value])
        nodes = found
    return iter(nodes)


def _same(value: Any, wanted: Any) -> bool:
    # JSON's true is not 1: a boolean matches only a boolean.
    return isinstance(value, bool) == isinstance(wanted, bool) and value == wanted


def _within(value: Any, bounds: Row) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    checks = (("gt", value.__gt__), ("gte", value.__ge__), ("lt", value.__lt__), ("lte", value.__le__))
    return all(bounds.get(name) is None or test(bounds[name]) for name, test in checks)


def score(metric: str, query: Sequence[float], query_norm: float, vector: Sequence[float]) -> float:
    """Qdrant's score: the cosine similarity (0 for a zero vector), the dot product, or the
    Euclidean distance."""
    if metric == "EUCLID":
        return math.dist(query, vector)
    dot = sum(map(mul, query, vector))
    if metric == "DOT":
        return dot
    norms = query_norm * math.hypot(*vector)
    return dot / norms if norms else 0.0


def vector_id(store_id: str, file_id: str, index: int) -> str:
    """A point's id: a UUID, as Qdrant's are, the same for the same point every time."""
    return str(uuid.uuid5(_ID_SPACE, f"{store_id}/{file_id}/{index}"))


async def nearest(
    files: AsyncIterator[Sequence[Row]],
    store: Row,
    query: Sequence[float],
    *,
    top_k: int,
    filters: Row | None,
    now: int,
) -> list[Row]:
    """The `top_k` points of these files nearest to `query`, best first; equal scores keep the
    order the points were stored in."""
    metric, query_norm = store["distance_metric"], math.hypot(*query)
    sign = 1 if metric == "EUCLID" else -1  # a distance: smallest first; a similarity: largest first
    scored: list[tuple[float, int, Row, int]] = []
    seen = 0
    async for chunk in files:
        for file in chunk:
            if file.get("status") == "deleted":
                continue
            texts, metadata = file.get("_texts") or [], file.get("_metadata") or []
            for index, vector in enumerate(file.get("_vectors") or []):
                seen += 1
                if not isinstance(vector, list) or len(vector) != len(query):
                    continue
                if seen % POINTS_PER_STEP == 0:
                    await asyncio.sleep(0)
                meta, text = _meta(metadata, index), _text(texts, index)
                if not passes(filters, {**meta, "text": text}):
                    continue
                try:
                    value = score(metric, query, query_norm, vector)
                except (TypeError, ValueError):  # a point of a hand-written state that is no vector
                    continue
                scored.append((sign * value, seen, file, index))
    best = heapq.nsmallest(top_k, scored, key=lambda item: (item[0], item[1]))
    return [_hit(store, file, index, sign * key, now) for key, _, file, index in best]


def _meta(metadata: Sequence[Any], index: int) -> Row:
    # A state document written by hand may hold anything in these private lists.
    return dict(metadata[index]) if index < len(metadata) and isinstance(metadata[index], dict) else {}


def _text(texts: Sequence[Any], index: int) -> str:
    return texts[index] if index < len(texts) and isinstance(texts[index], str) else ""


def _hit(store: Row, file: Row, index: int, value: float, now: int) -> Row:
    return {
        "text": _text(file.get("_texts") or [], index),
        "meta_data": _meta(file.get("_metadata") or [], index),
        "score": value,
        "vector_id": vector_id(store["id"], file["id"], index),
        "store_id": store["id"],
        "retrieved_at": now,
    }
