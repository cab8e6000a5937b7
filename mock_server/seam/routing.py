"""Routing in one step, and each routed stage's operation in one lookup (see the package)."""

from __future__ import annotations

import re
from typing import Any

from connexion.middleware.abstract import (
    ROUTING_CONTEXT,  # internal: the routing handshake's scope key
)
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
    answer asks it which methods a path has, so paths are matched in this one place.

    Each method's routes are split by their first two path segments (`/v1/threads/…`), which the
    contracts write literally (a route whose first two segments hold a parameter is refused at
    start): a request is matched against the dozen routes of its own prefix, not all of them, and
    the first match in the contract's order still wins, as no other prefix's route could match."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, _MethodTable]] = {}

    def add(self, document: dict[str, Any], base_path: str) -> None:
        for path, item in document["paths"].items():
            for method in METHODS:
                operation = item.get(method)
                if isinstance(operation, dict) and "operationId" in operation:
                    prefix = _prefix(base_path + path)
                    if "{" in prefix:
                        raise ValueError(f"{base_path + path}: a parameter in the first two segments")
                    tables = self._tables.setdefault(method.upper(), {})
                    tables.setdefault(prefix, _MethodTable()).add(base_path, path, operation["operationId"])

    def match(self, method: str, path: str) -> tuple[dict[str, Any], str, str] | None:
        tables = self._tables.get("GET" if method == "HEAD" else method)
        table = tables.get(_prefix(path)) if tables is not None else None
        return table.match(path) if table is not None else None

    def allowed(self, path: str) -> list[str]:
        return [method for method in self._tables if self.match(method, path) is not None]


def _prefix(path: str) -> str:
    """The first two segments of a path: `/v1/threads/x/messages` -> `v1/threads`, `/` -> ``."""
    return "/".join(path.split("/", 3)[1:3])


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


# --- routed stages, one dictionary lookup each ----------------------------------------------------
#
# Every stage after routing is a RoutedMiddleware, whose __call__ reads the routing context, looks
# up the API list of its base path, loops over it and indexes the operation (about 5% of a list
# request over five stages). `DirectDispatch` finds the same operation with one lookup in a table
# it fills as APIs are added, and leaves anything it has not seen (a missing operation, a request
# that was not routed) to Connexion's own __call__, which raises what it raises.


class DirectDispatch:
    """Mixed in before a RoutedMiddleware subclass: its operations by (base path, operationId)."""

    apis: dict[str, list[Any]]  # internal: RoutedMiddleware's APIs by base path
    app: ASGIApp
    _direct: dict[tuple[str | None, str | None], ASGIApp] = {}

    def add_api(self, specification: Any, **kwargs: Any) -> Any:
        api = super().add_api(specification, **kwargs)  # type: ignore[misc]
        # Connexion looks in the first API of a base path only.
        self._direct = {
            (base_path, operation_id): operation
            for base_path, apis in self.apis.items()
            for operation_id, operation in apis[0].operations.items()  # internal: RoutedAPI.operations
        }
        return api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            routing = scope["extensions"][ROUTING_CONTEXT]
            operation = self._direct[routing["api_base_path"], routing["operation_id"]]
        except KeyError:  # not routed, or not to an operation of this stage: Connexion decides
            await super().__call__(scope, receive, send)  # type: ignore[misc]
            return
        await operation(scope, receive, send)
