"""operationId -> handler: `handlers.<tag>.<snake_case(operationId)>`, bound to the app's services.

An operation with no handler is answered from the contract's first success example (marked
`X-Mock-Source: example`), so an endpoint added to the spec works at once. One with neither is a
startup error.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from typing import Any

from connexion.lifecycle import ConnexionResponse
from connexion.resolver import Resolution, Resolver

from mock_server.endpoint import Endpoint, Handler
from mock_server.services import Services

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def snake_case(operation_id: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", operation_id).lower()


def find_handler(tag: str, operation_id: str) -> Handler | None:
    try:
        module = importlib.import_module(f"mock_server.handlers.{tag}")
    except ModuleNotFoundError as error:
        if error.name != f"mock_server.handlers.{tag}":
            raise
        return None
    return getattr(module, snake_case(operation_id), None)


def first_success_example(operation: dict[str, Any]) -> tuple[int, str, Any] | None:
    for status, response in sorted(operation.get("responses", {}).items()):
        if not status.startswith("2"):
            continue
        if status == "204":
            return 204, "", None
        for media_type, media in response.get("content", {}).items():
            examples = media.get("examples") or {}
            if examples:
                return int(status), media_type, next(iter(examples.values()))["value"]
            if "example" in media:
                return int(status), media_type, media["example"]
    return None


def unanswerable_operations(spec: dict[str, Any], tag_of: Callable[[str], str]) -> list[str]:
    """Operations with neither a handler nor a success example to answer with."""
    return [
        op["operationId"]
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
        if find_handler(tag_of(op["operationId"]), op["operationId"]) is None
        and first_success_example(_resolved(spec, op)) is None
    ]


def _resolved(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    responses = {}
    for status, response in operation.get("responses", {}).items():
        while "$ref" in response:
            target: Any = spec
            for part in response["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            response = target
        responses[status] = response
    return {"responses": responses}


class HandlerResolver(Resolver):
    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def resolve(self, operation) -> Resolution:
        operation_id = operation.operation_id
        handler = find_handler(self.services.tag_of(operation_id), operation_id)
        if handler is None:
            example = first_success_example(_resolved(self.services.spec, self.services.operations[operation_id]))
            if example is None:  # create_app refuses to start first: see unanswerable_operations
                raise RuntimeError(f"{operation_id} has no handler and no example")
            handler = _answer_with_example(*example)
        return Resolution(Endpoint(self.services, operation_id, handler), operation_id)


def _answer_with_example(status: int, media_type: str, value: Any) -> Handler:
    body = value if isinstance(value, str) else json.dumps(value)

    async def example_endpoint(_ctx: Any, **__: Any) -> ConnexionResponse:
        return ConnexionResponse(
            status_code=status,
            body=body if status != 204 else None,
            mimetype=media_type or None,
            headers={"X-Mock-Source": "example"},
        )

    return example_endpoint
