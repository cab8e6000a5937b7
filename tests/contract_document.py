"""Read-only helpers over openapi.yaml for the toolkit's own tests: load it once, walk its operations
and every example it holds, each paired with the schema it must satisfy."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@functools.cache
def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolve(node: Any) -> Any:
    """Follow local `$ref`s until a node that is not a reference."""
    spec = load_spec()
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    body: dict[str, Any]
    path_item: dict[str, Any]

    @property
    def id(self) -> str:
        return self.body["operationId"]

    @property
    def parameters(self) -> list[dict[str, Any]]:
        params = [resolve(p) for p in self.path_item.get("parameters", [])]
        return params + [resolve(p) for p in self.body.get("parameters", [])]

    @property
    def path_parameter_names(self) -> set[str]:
        return set(re.findall(r"{(\w+)}", self.path))

    @property
    def responses(self) -> dict[str, dict[str, Any]]:
        return {code: resolve(r) for code, r in self.body["responses"].items()}

    @property
    def request_body(self) -> dict[str, Any] | None:
        body = self.body.get("requestBody")
        return resolve(body) if body else None

    @property
    def security(self) -> list[dict[str, Any]]:
        return self.body.get("security", load_spec().get("security", []))

    def success_responses(self) -> dict[str, dict[str, Any]]:
        return {code: r for code, r in self.responses.items() if code.startswith("2")}

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path} ({self.id})"


def operations() -> list[Operation]:
    return [
        Operation(path, method, item[method], item)
        for path, item in load_spec()["paths"].items()
        for method in HTTP_METHODS
        if method in item
    ]


@dataclass(frozen=True)
class Example:
    """One example value and the schema it must satisfy, named by where it sits."""

    where: str
    name: str
    media_type: str
    schema: dict[str, Any]
    value: Any
    operation: Operation | None = None
    status: str | None = None  # None for request and schema examples


def _media_examples(media: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for name, example in media.get("examples", {}).items():
        yield name, resolve(example)["value"]
    if "example" in media:
        yield "example", media["example"]


def request_examples(op: Operation) -> Iterator[Example]:
    body = op.request_body or {}
    for media_type, media in body.get("content", {}).items():
        for name, value in _media_examples(media):
            where = f"{op} request {media_type} example {name!r}"
            yield Example(where, name, media_type, media["schema"], value, op)


def response_examples(op: Operation) -> Iterator[Example]:
    for status, response in op.responses.items():
        for media_type, media in response.get("content", {}).items():
            for name, value in _media_examples(media):
                where = f"{op} {status} {media_type} example {name!r}"
                yield Example(where, name, media_type, media["schema"], value, op, status)


def schema_examples() -> Iterator[Example]:
    components = load_spec()["components"]
    for name, schema in components["schemas"].items():
        if "example" in schema:
            yield Example(f"schema {name}", name, "application/json", schema, schema["example"])
        for prop_name, prop in schema.get("properties", {}).items():
            if "example" in prop:
                where = f"schema {name}.{prop_name}"
                yield Example(where, prop_name, "application/json", prop, prop["example"])
    for name, param in components.get("parameters", {}).items():
        if "example" in param:
            yield Example(f"parameter {name}", name, "-", param["schema"], param["example"])


def all_examples() -> list[Example]:
    found = list(schema_examples())
    for op in operations():
        found += list(request_examples(op)) + list(response_examples(op))
    return found
