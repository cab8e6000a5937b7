"""One module per OpenAPI tag, one coroutine per operationId (snake_case), each taking the request
Context first and the operation's parameters (path, query, `body`) by name."""
