"""What one successful JSON answer must satisfy beyond its schema, as plain functions that return
the problems they find (an empty list when the answer keeps the contract). The Schemathesis checks
and the workflows both use them, so a break reads the same wherever it is found."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contract_tests.contract import Contract, Shape


def id_prefix_problems(contract: Contract, operation_id: str, status: int, body: Any) -> list[str]:
    """Ids start with the prefix of their object: the one the response schema pins, and for any
    nested `{object, id}` the prefix the contract gives that object string."""
    problems = []
    shape = contract.shape(operation_id, status)
    for item, expected in _with_shapes(body, shape):
        prefix = expected.id_prefix if expected else None
        if prefix and isinstance(item.get("id"), str) and not item["id"].startswith(prefix):
            problems.append(f"id {item['id']!r} should start with {prefix!r}")
    for item in _objects(body):
        prefix = contract.object_prefixes.get(item.get("object"))  # type: ignore[arg-type]
        if prefix and isinstance(item.get("id"), str) and not item["id"].startswith(prefix):
            problems.append(f"`object: {item['object']}` with id {item['id']!r}: its ids start with {prefix!r}")
    return sorted(set(problems))


def object_string_problems(contract: Contract, operation_id: str, status: int, body: Any) -> list[str]:
    """`object` is the string the contract documents for this answer (and for each listed item)."""
    problems = []
    for item, expected in _with_shapes(body, contract.shape(operation_id, status)):
        if expected and expected.object and item.get("object") != expected.object:
            problems.append(f"`object` is {item.get('object')!r}, the contract says {expected.object!r}")
    return sorted(set(problems))


def envelope_problems(body: Any, limit: int | None, order: str | None) -> list[str]:
    """A list envelope: `first_id`/`last_id` name the ends of `data`, `limit` holds, items are in
    `created_at` order, and `has_more` is not true on a page that is not full."""
    if not (isinstance(body, dict) and body.get("object") == "list" and isinstance(body.get("data"), list)):
        return []
    data = [item for item in body["data"] if isinstance(item, dict)]
    problems = []
    first, last = (data[0].get("id"), data[-1].get("id")) if data else (None, None)
    if body.get("first_id") != first:
        problems.append(f"first_id is {body.get('first_id')!r}, data[0].id is {first!r}")
    if body.get("last_id") != last:
        problems.append(f"last_id is {body.get('last_id')!r}, data[-1].id is {last!r}")
    if limit is not None and len(data) > limit:
        problems.append(f"{len(data)} items on a page with limit={limit}")
    if limit is not None and len(data) < limit and body.get("has_more") is True:
        problems.append(f"has_more is true, but the page holds {len(data)} of limit={limit}")
    stamps = [item.get("created_at") for item in data]
    if all(isinstance(s, int | float) for s in stamps) or all(isinstance(s, str) for s in stamps):
        descending = order == "desc"
        if any((b > a) if descending else (b < a) for a, b in zip(stamps, stamps[1:], strict=False)):
            problems.append(f"items are not in {'descending' if descending else 'ascending'} created_at order")
    return problems


def _with_shapes(body: Any, shape: Shape | None) -> Iterator[tuple[dict[str, Any], Shape | None]]:
    """The body's objects paired with what the contract says about them: the body itself, and the
    items of an envelope's `data` or of a bare array."""
    if shape is None:
        return
    if isinstance(body, dict):
        yield body, shape
        if shape.envelope and isinstance(body.get("data"), list):
            yield from ((item, shape.item) for item in body["data"] if isinstance(item, dict))
    elif isinstance(body, list) and shape.item is not None:
        yield from ((item, shape.item) for item in body if isinstance(item, dict))


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in the body that carries an `object` string, at any depth."""
    if isinstance(node, dict):
        if isinstance(node.get("object"), str):
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)
