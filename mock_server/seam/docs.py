"""The served contract, listing the URL it was asked on (see the package)."""

from __future__ import annotations

from typing import Any

from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware


class ServedContractAPI(SwaggerUIAPI):
    """The served contract, with the URL it was asked on as its server (see the module)."""

    def _spec_for_prefix(self, request: Any) -> dict[str, Any]:  # internal: builds the served document
        spec = super()._spec_for_prefix(request)
        served_at = f"{request.url.scheme}://{request.url.netloc}"  # the spec's servers carry the base path
        servers = spec.get("servers") or [{"url": ""}]
        return {**spec, "servers": [{"url": served_at + server["url"]} for server in servers]}


class ServedContractMiddleware(SwaggerUIMiddleware):
    """Connexion's SwaggerUIMiddleware, serving each API through ServedContractAPI (its add_api
    builds a SwaggerUIAPI by name, so the class is chosen here, as it does)."""

    def add_api(self, specification: Any, base_path: str | None = None, arguments: Any = None, **kwargs: Any) -> None:
        api = ServedContractAPI(
            specification,
            base_path=base_path,
            arguments=arguments,
            default=self.default_fn,  # internal: hands unknown paths on
            **kwargs,
        )
        self.router.mount(api.base_path, app=api.router)
