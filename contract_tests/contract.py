"""The contract as the suite reads it: always `openapi.yaml` from this toolkit (or `--contract`),
never the server's own copy, so a server cannot pass by serving a contract of its own.

Everything the suite derives from it lives here: operations by id and by label, the documented
status codes (the coverage matrix's columns), links (for created-then-readable), and what each
response promises about `object` strings and id prefixes."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml


def _find_contract() -> Path:
    """openapi.yaml: the package's own copy in an installed wheel (setup.py's build step puts it
    there), else the repository root's, the single source of truth, in a checkout or an editable
    install. The mock finds its copy the same way (`mock_server.settings`); this suite imports
    nothing from it, so it checks the mock exactly as it checks any other server."""
    packaged = resources.files(__package__) / "openapi.yaml"
    if isinstance(packaged, Path) and packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "openapi.yaml"


DEFAULT_SPEC = _find_contract()
SPEC_ENV = "CONTRACT_TESTS_SPEC"
METHODS = ("get", "put", "post", "delete", "patch")
_PREFIX = re.compile(r"^\^([a-z]+_)")


@dataclass(frozen=True)
class Shape:
    """What a JSON response body promises: its `object` string and id prefix, and for lists
    (an envelope's `data` or a bare array) the same for each item."""

    object: str | None = None
    id_prefix: str | None = None
    envelope: bool = False
    item: Shape | None = None


@dataclass(frozen=True)
class Link:
    name: str
    target: str  # operationId
    parameters: dict[str, Any]


BODY_NOT_PARSED_EXAMPLE = "bodyNotParsed"
ERROR_SCHEMA = "#/components/schemas/Error"  # the example name of every body operation's parse 400


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    statuses: tuple[str, ...]
    path_parameters: tuple[str, ...]
    query_defaults: dict[str, Any]
    links: dict[str, tuple[Link, ...]] = field(default_factory=dict)
    admin_only: bool = False
    streams: bool = False  # a success answer is an event stream
    # A 400 the contract documents for a schema-valid request (a business rule: a reused id,
    # made-up participants, an unknown model prefix), beyond the undecodable-body 400 of every
    # operation with a body.
    business_rule_400: bool = False
    # A 422 with a string detail beside pydantic's list: a rule checked after normalising values
    # (provisionUser's blank names), which schema-valid data can break.
    business_rule_422: bool = False
    takes_body: bool = False
    body_media_types: tuple[str, ...] = ()  # what the request body may be sent as

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, **path_parameters: str) -> str:
        # Percent-encoded: a client-made id (a vector store's) may hold any character, `/` too.
        return self.path.format(**{name: quote(str(value), safe="") for name, value in path_parameters.items()})


class Contract:
    def __init__(self, document: dict[str, Any], path: Path) -> None:
        self.document = document
        self.path = path
        self.operations: dict[str, Operation] = {}
        for path_template, item in document["paths"].items():
            shared = item.get("parameters", [])
            for method in METHODS:
                if method in item:
                    operation = self._operation(path_template, method, item[method], shared)
                    self.operations[operation.id] = operation
        self.by_label = {op.label: op for op in self.operations.values()}
        self.object_prefixes = self._object_prefixes()

    def resolve(self, node: Any) -> Any:
        """Follow local `$ref`s, and merge `allOf` parts into one object schema."""
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        if isinstance(node, dict) and "allOf" in node:
            merged: dict[str, Any] = {"properties": {}}
            for part in node["allOf"]:
                part = self.resolve(part)
                merged["properties"].update(part.get("properties", {}))
            return merged
        return node

    def find(self, method: str, path: str) -> Operation | None:
        return self.by_label.get(f"{method.upper()} {path}")

    def response_schema(self, operation_id: str, status: int | str) -> dict[str, Any] | None:
        raw = self.document["paths"][self.operations[operation_id].path][self.operations[operation_id].method.lower()]
        response = raw["responses"].get(str(status))
        if response is None:
            return None
        content = self.resolve(response).get("content", {})
        media = content.get("application/json")
        return self.resolve(media["schema"]) if media and "schema" in media else None

    @functools.cache  # noqa: B019 - one Contract per process; the cache lives as long as it does
    def shape(self, operation_id: str, status: int) -> Shape | None:
        schema = self.response_schema(operation_id, status)
        return self._shape(schema) if schema is not None else None

    def _shape(self, schema: dict[str, Any]) -> Shape:
        schema = self.resolve(schema)
        if schema.get("type") == "array" and "items" in schema:
            return Shape(item=self._shape(schema["items"]))
        properties = {name: self.resolve(value) for name, value in schema.get("properties", {}).items()}
        objects = properties.get("object", {}).get("enum") or []
        match = _PREFIX.match(properties.get("id", {}).get("pattern", ""))
        data = properties.get("data", {})
        is_envelope = objects == ["list"] and data.get("type") == "array"
        return Shape(
            object=objects[0] if len(objects) == 1 else None,
            id_prefix=match.group(1) if match else None,
            envelope=is_envelope,
            item=self._shape(data["items"]) if is_envelope else None,
        )

    def _object_prefixes(self) -> dict[str, str]:
        """`object` string → id prefix, from every component schema that pins both."""
        prefixes = {}
        for schema in self.document["components"]["schemas"].values():
            shape = self._shape(schema)
            if shape.object and shape.id_prefix:
                prefixes[shape.object] = shape.id_prefix
        return prefixes

    def _operation(self, path: str, method: str, raw: dict[str, Any], shared: list[Any]) -> Operation:
        parameters = [self.resolve(p) for p in [*shared, *raw.get("parameters", [])]]
        links = {
            status: tuple(
                Link(name, link["operationId"], {**link.get("parameters", {}), **_body_link(link)})
                for name, link in self.resolve(response).get("links", {}).items()
            )
            for status, response in raw["responses"].items()
        }
        return Operation(
            id=raw["operationId"],
            method=method.upper(),
            path=path,
            statuses=tuple(raw["responses"]),
            path_parameters=tuple(p["name"] for p in parameters if p["in"] == "path"),
            query_defaults={
                p["name"]: self.resolve(p.get("schema", {})).get("default") for p in parameters if p["in"] == "query"
            },
            links=links,
            admin_only="**Admin only" in raw.get("description", ""),
            streams=any(
                "text/event-stream" in self.resolve(response).get("content", {})
                for status, response in raw["responses"].items()
                if status.startswith("2")
            ),
            business_rule_400=self._business_rule_400(raw["responses"].get("400")),
            business_rule_422=self._business_rule_422(raw["responses"].get("422")),
            takes_body="requestBody" in raw,
            body_media_types=tuple(self.resolve(raw.get("requestBody", {})).get("content", {})),
        )

    def _business_rule_422(self, response: Any) -> bool:
        if response is None:
            return False
        schema = self.resolve(self.resolve(response).get("content", {}).get("application/json", {}).get("schema", {}))
        return any(
            isinstance(branch, dict) and branch.get("$ref") == ERROR_SCHEMA for branch in schema.get("oneOf", [])
        )

    def _business_rule_400(self, response: Any) -> bool:
        if response is None:
            return False
        media = self.resolve(response).get("content", {}).get("application/json", {})
        examples = media.get("examples")
        return not examples or bool(set(examples) - {BODY_NOT_PARSED_EXAMPLE})


def without_mock_only(document: dict[str, Any]) -> dict[str, Any]:
    """The document without the parameters marked `x-mock-only` (`X-Mock-Session`, `Prefer`):
    what Schemathesis is handed, so it never sends them to a server (the real one ignores them,
    and a generated `Prefer` would ask the mock for a random documented status)."""
    parameters = document.get("components", {}).get("parameters", {})
    mock_only = {f"#/components/parameters/{name}" for name, p in parameters.items() if p.get("x-mock-only")}

    def kept(items: list[Any]) -> list[Any]:
        return [p for p in items if not (p.get("x-mock-only") or p.get("$ref") in mock_only)]

    copy: dict[str, Any] = {**document, "paths": {}}
    for path, item in document["paths"].items():
        item = {**item}
        for key in [key for key in item if key == "parameters" or key in METHODS]:
            if key == "parameters":
                item[key] = kept(item[key])
            elif "parameters" in item[key]:
                item[key] = {**item[key], "parameters": kept(item[key]["parameters"])}
        copy["paths"][path] = item
    if mock_only:
        kept_parameters = {n: p for n, p in parameters.items() if not p.get("x-mock-only")}
        copy["components"] = {**document["components"], "parameters": kept_parameters}
    return copy


def _body_link(link: dict[str, Any]) -> dict[str, Any]:
    body = link.get("requestBody")
    return {f"body.{name}": value for name, value in body.items()} if isinstance(body, dict) else {}


@functools.cache
def load(path: str | None = None) -> Contract:
    """The contract at `path`, `$CONTRACT_TESTS_SPEC`, or the toolkit's own `openapi.yaml`."""
    spec = Path(path or os.environ.get(SPEC_ENV) or DEFAULT_SPEC).resolve()
    with spec.open(encoding="utf-8") as f:
        return Contract(yaml.safe_load(f), spec)
