"""The one place the mock relies on Connexion internals, each kept because of what it buys.

- `FastRoutingMiddleware` (+22% requests per second on a list page, measured when introduced):
  Connexion's RoutingMiddleware routes with a starlette Router, which tries every route of the API
  in turn. This one matches a request in one step, with one regular expression per method folded
  from the contract's paths, and hands on exactly what Connexion's router would: the path
  parameters in `scope["path_params"]` and, under `scope["extensions"][ROUTING_CONTEXT]`,
  `{"api_base_path", "operation_id"}` — the internal handshake every RoutedMiddleware reads.
  A request it cannot place (an unknown path, a method the path lacks, a trailing slash) goes
  through Connexion's own router, which owns 404, 405 and the redirects.

tests/mock_server/test_seam.py names every internal used here and fails with a message saying
which one moved; pyproject.toml pins Connexion to the minor version that test covers.
"""

from __future__ import annotations

import re
from typing import Any

from connexion.middleware.abstract import ROUTING_CONTEXT  # internal: the routing handshake's scope key
from connexion.middleware.routing import RoutingMiddleware
from starlette.routing import compile_path, get_route_path
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.spec import METHODS

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class _MethodTable:
    """One method's routes, in the contract's order, folded into one expression: the first path
    that matches wins, as in starlette (a literal path listed before a parameter path wins)."""

    def __init__(self) -> None:
        self.routes: list[tuple[re.Pattern[str], dict[str, Any], str, str]] = []
        self.matcher: re.Pattern[str] | None = None

    def add(self, base_path: str, path: str, operation_id: str) -> None:
        regex, _, convertors = compile_path(base_path + path)
        self.routes.append((regex, convertors, base_path, operation_id))
        alternatives = (f"(?P<r{i}>{_NAMED_GROUP.sub('(?:', r.pattern)})" for i, (r, *_) in enumerate(self.routes))
        self.matcher = re.compile("|".join(alternatives))

    def match(self, path: str) -> tuple[dict[str, Any], str, str] | None:
        found = self.matcher.match(path) if self.matcher is not None else None
        if found is None:
            return None
        regex, convertors, base_path, operation_id = self.routes[int(found.lastgroup[1:])]  # type: ignore[index]
        params = regex.match(path).groupdict()  # type: ignore[union-attr]
        return {name: convertors[name].convert(value) for name, value in params.items()}, base_path, operation_id


class RouteTable:
    """Every API's operations by method, built from the contracts as they are added. The 405
    answer asks it which methods a path has, so paths are matched in this one place."""

    def __init__(self) -> None:
        self._tables: dict[str, _MethodTable] = {}

    def add(self, document: dict[str, Any], base_path: str) -> None:
        for path, item in document["paths"].items():
            for method in METHODS:
                operation = item.get(method)
                if isinstance(operation, dict) and "operationId" in operation:
                    self._tables.setdefault(method.upper(), _MethodTable()).add(
                        base_path, path, operation["operationId"]
                    )

    def match(self, method: str, path: str) -> tuple[dict[str, Any], str, str] | None:
        table = self._tables.get("GET" if method == "HEAD" else method)
        return table.match(path) if table is not None else None

    def allowed(self, path: str) -> list[str]:
        return [method for method, table in self._tables.items() if table.match(path) is not None]


class FastRoutingMiddleware(RoutingMiddleware):
    """Connexion's routing, one expression match per request (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.routes = RouteTable()

    def add_api(self, specification: Any, base_path: str | None = None, **kwargs: Any) -> None:
        super().add_api(specification, base_path=base_path, **kwargs)
        routes = kwargs.get("routes")
        if routes is not None:  # the app's shared table (see app.py), filled there
            self.routes = routes
        else:
            self.routes.add(specification.raw, base_path if base_path is not None else specification.base_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self.routes.match(scope["method"], get_route_path(scope))
            if found is not None:
                params, base_path, operation_id = found
                scope.setdefault("path_params", {}).update(params)
                routing = {"api_base_path": base_path, "operation_id": operation_id}
                scope.setdefault("extensions", {})[ROUTING_CONTEXT] = routing
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
