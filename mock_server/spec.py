"""The contract, read once per app: the document, its `$ref`s resolved, and each operation's
shape (method, path, parameters, body, responses) by operationId. The one place the mock walks
the document."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


# libyaml's loader where PyYAML was built with it: it reads the contract several times faster,
# which is most of the mock's start-up. tests/test_contract_document.py checks both read it alike.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_spec(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=SAFE_LOADER)


class Resolver:
    """Replaces every local `$ref` (`#/…`) by its target, recursively. A target is resolved once
    and shared, so one schema keeps one identity wherever it is used (compiled validators key on
    it) and a recursive schema resolves to itself."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._cache: dict[str, Any] = {}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(item) for item in value]
        if not isinstance(value, dict):
            return value
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref not in self._cache:
                target: Any = self.document
                for part in ref[2:].split("/"):
                    target = target[part.replace("~1", "/").replace("~0", "~")]
                resolved = self._cache[ref] = {}
                resolved.update(self(target))
            return self._cache[ref]
        return {key: self(item) for key, item in value.items()}


@dataclass(frozen=True)
class Operation:
    id: str
    method: str  # upper case
    path: str
    tag: str
    path_params: tuple[str, ...]
    query_params: dict[str, dict[str, Any]]  # name -> schema (resolved)
    has_body: bool
    body_required: bool
    responses: dict[str, Any]  # status -> response object (resolved)
    secured: bool

    @property
    def parameter_names(self) -> set[str]:
        return set(self.path_params) | set(self.query_params)


def operations(document: dict[str, Any]) -> dict[str, Operation]:
    """Every operation of the document by operationId."""
    found: dict[str, Operation] = {}
    resolve = Resolver(document)
    root_security = document.get("security", [])
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            raw = item.get(method)
            if not isinstance(raw, dict):
                continue
            parameters = resolve([*shared, *raw.get("parameters", [])])
            body = resolve(raw.get("requestBody"))
            found[raw["operationId"]] = Operation(
                id=raw["operationId"],
                method=method.upper(),
                path=path,
                tag=raw["tags"][0],
                path_params=tuple(p["name"] for p in parameters if p["in"] == "path"),
                query_params={p["name"]: p.get("schema", {}) for p in parameters if p["in"] == "query"},
                has_body=body is not None,
                body_required=bool(body and body.get("required")),
                responses=resolve(raw.get("responses", {})),
                secured=bool(raw.get("security", root_security)),
            )
    return found


def allowed_methods(document: dict[str, Any], path_template: str) -> list[str]:
    """The methods the contract defines on a path template (for a 405's `Allow`)."""
    item = document["paths"].get(path_template, {})
    return [method.upper() for method in METHODS if method in item]
