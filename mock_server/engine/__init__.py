"""The run engine: SSE framing, the run-lifecycle event stream, the scripted assistant and the
run state machine that completions drive."""
