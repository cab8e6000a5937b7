"""The one place the mock relies on Connexion (and Starlette) internals, each kept because of what
it buys: `routing.py` (routing and direct dispatch), `stages.py` (the lean security, validation and
exception stages), `docs.py` (the served contract).

- `FastRoutingMiddleware` (+22% requests per second on a list page, measured when introduced):
  Connexion's RoutingMiddleware routes with a starlette Router, which tries every route of the API
  in turn. This one matches a request in one step, with one regular expression per method and
  path prefix folded from the contract's paths, and hands on exactly what Connexion's router would: the path
  parameters in `scope["path_params"]` and, under `scope["extensions"][ROUTING_CONTEXT]`,
  `{"api_base_path", "operation_id"}` — the internal handshake every RoutedMiddleware reads.
  A request it cannot place (an unknown path, a method the path lacks, a trailing slash) goes
  through Connexion's own router, which owns 404, 405 and the redirects.
- `LeanSecurityMiddleware`, `LeanRequestValidationMiddleware` (mock/bare 0.55-0.74 -> 0.65-0.76
  across the bench's scenarios, measured when introduced): Connexion's security and request
  validation stages, doing per operation once what those do per request (below). They write the
  token info where Connexion's ContextMiddleware reads it (`scope["extensions"]["connexion_context"]`)
  and call the validator classes of the `validator_map` with the keywords Connexion uses.
- `DirectDispatch` (mixed into the routed stages after routing, ~5% of a list request when
  introduced): finds a stage's operation with one lookup where RoutedMiddleware.__call__ reads
  `RoutedMiddleware.apis` and `RoutedAPI.operations` per request; anything it does not know goes
  to Connexion's own __call__.
- `LeanExceptionMiddleware` (+4-5% requests per second over HTTP on the bench's scenarios, measured
  when introduced): Starlette's exception stage builds a Request and two closures for every request,
  ready for an exception that almost never comes. This one only tracks whether the answer started,
  and hands an exception to Starlette's own `wrap_app_handling_exceptions` (a private function),
  so handlers are found and called exactly as there. It puts the handlers where Starlette's routers
  look (`scope["starlette.exception_handlers"]`, from ExceptionMiddleware's private attributes).
- `ServedContractAPI`: the contract Connexion serves at `/openapi.json` lists the running mock's
  own URL in `servers` (Connexion writes its base path alone, so Swagger UI's servers menu was
  empty), by wrapping `SwaggerUIAPI._spec_for_prefix`, the one method that builds it.

tests/mock_server/test_seam.py and test_seam_exceptions.py name every internal used here and fail with a message saying
which one moved; pyproject.toml pins Connexion to the minor version that test covers.
"""

from mock_server.seam.docs import ServedContractAPI, ServedContractMiddleware
from mock_server.seam.routing import DirectDispatch, FastRoutingMiddleware, RouteTable
from mock_server.seam.stages import (
    CONTEXT,
    EXCEPTION_HANDLERS,
    LeanExceptionMiddleware,
    LeanRequestValidationMiddleware,
    LeanSecurityMiddleware,
    StandsIn,
    direct,
)

__all__ = [
    "CONTEXT",
    "EXCEPTION_HANDLERS",
    "DirectDispatch",
    "FastRoutingMiddleware",
    "LeanExceptionMiddleware",
    "LeanRequestValidationMiddleware",
    "LeanSecurityMiddleware",
    "RouteTable",
    "ServedContractAPI",
    "ServedContractMiddleware",
    "StandsIn",
    "direct",
]
