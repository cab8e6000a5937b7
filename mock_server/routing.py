"""Connexion's routing middleware with a direct way through for requests that name an operation.

Connexion routes with a starlette Router (a Mount per API, then every route of the API tried in
turn), hands the request on with the operation's id, and each later middleware (security, request
validation, the app) looks the operation up again by that id. Here, once the APIs are added:

- the routes of each API are folded into one regular expression (one alternative per path), so a
  request is matched in one step, then its parameters read with that path's own expression;
- each operation's layers are linked to each other, so the request goes from the security check
  to request validation to the Endpoint without the lookups in between.

Anything the direct table does not answer (an unknown path, a method the path lacks, a path that
two routes could claim) goes through Connexion's router as before, which owns 404, 405 and the
slash redirects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from connexion.middleware.abstract import ROUTING_CONTEXT, RoutedMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.routing import RoutingMiddleware
from starlette.routing import Mount, Route, get_route_path
from starlette.types import ASGIApp, Receive, Scope, Send

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


@dataclass(frozen=True)
class _Path:
    base_path: str
    regex: re.Pattern[str]
    convertors: dict[str, Any]
    by_method: dict[str, tuple[str, ASGIApp]]  # method -> (operation id, first layer to call)


class DirectRoutingMiddleware(RoutingMiddleware):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self._paths: list[_Path] = []
        self._matcher: re.Pattern[str] | None = None

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)  # the later middlewares already hold this API's operations
        self._build()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._matcher is not None:
            path = get_route_path(scope)
            found = self._matcher.match(path)
            if found is not None:
                target = self._paths[int(found.lastgroup[1:])]  # type: ignore[index]
                operation = target.by_method.get(scope["method"])
                if operation is not None:
                    params = target.regex.match(path).groupdict()  # type: ignore[union-attr]
                    for name, value in params.items():
                        params[name] = target.convertors[name].convert(value)
                    scope.setdefault("path_params", {}).update(params)
                    routing = {"api_base_path": target.base_path, "operation_id": operation[0]}
                    scope.setdefault("extensions", {})[ROUTING_CONTEXT] = routing
                    await operation[1](scope, receive, send)
                    return
        await super().__call__(scope, receive, send)

    def _build(self) -> None:
        paths: dict[str, _Path] = {}
        claimed: set[tuple[str, str]] = set()
        for mount in self.router.routes:
            if not isinstance(mount, Mount):
                continue
            for route in getattr(mount.app, "routes", []):
                operation_id = getattr(route.app, "operation_id", None)
                if not isinstance(route, Route) or route.methods is None or operation_id is None:
                    continue
                pattern = mount.path + route.path_format
                regex = re.compile("^" + re.escape(mount.path) + route.path_regex.pattern[1:])
                target = paths.get(pattern)
                if target is None:
                    target = paths[pattern] = _Path(mount.path, regex, route.param_convertors, {})
                for method in route.methods:
                    if (pattern, method) in claimed:  # a second route for one method: leave it to starlette
                        target.by_method.pop(method, None)
                        continue
                    claimed.add((pattern, method))
                    target.by_method[method] = (operation_id, self._first_layer(mount.path, operation_id))
        self._paths = list(paths.values())
        alternatives = (f"(?P<p{i}>{_NAMED_GROUP.sub('(?:', p.regex.pattern)})" for i, p in enumerate(self._paths))
        self._matcher = re.compile("|".join(alternatives)) if self._paths else None

    def _first_layer(self, base_path: str, operation_id: str) -> ASGIApp:
        """The operation's own first layer, each layer linked straight to the next; or, when a
        layer is one this does not know to be skippable, Connexion's chain of middlewares."""
        operations, layer = [], self.app
        while not operations or hasattr(operations[-1], "next_app"):
            if isinstance(layer, RoutedMiddleware):
                operation = _operation(layer, base_path, operation_id)
                if operation is None:
                    return self.app
                operations.append(operation)
                layer = layer.app
            elif isinstance(layer, LifespanMiddleware):  # it acts on lifespan events only
                layer = layer.next_app
            else:
                return self.app
        for operation, following in pairwise(operations):
            operation.next_app = following
        return operations[0]


def _operation(middleware: RoutedMiddleware, base_path: str, operation_id: str) -> Any:
    for api in middleware.apis.get(base_path, []):
        if operation_id in api.operations:
            return api.operations[operation_id]
    return None
