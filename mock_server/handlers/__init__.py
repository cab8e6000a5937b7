"""One module per OpenAPI tag, each registering its coroutines by operationId (registry.py). A
handler takes the request's Context first, then the operation's path and query parameters and
`body` by name, and returns a Reply; it imports nothing from the web framework."""

from __future__ import annotations

from mock_server.handlers import (
    actions,
    api_keys,
    assistants,
    completions,
    files,
    messages,
    runs,
    service,
    threads,
    tools,
    users,
    vector_stores,
)
from mock_server.registry import merge

HANDLERS = merge(
    module.operations
    for module in (
        users,
        api_keys,
        assistants,
        threads,
        messages,
        runs,
        actions,
        completions,
        service,
        tools,
        files,
        vector_stores,
    )
)
# Operations the contract has that are answered from their examples rather than a handler.
EXAMPLE_ANSWERED: frozenset[str] = frozenset()
