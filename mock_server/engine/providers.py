"""How the real server picks a model provider from a completion's `model`, and the failures that
come with it (inference_provider_selector.py, the Hyperbolic handler and the workers there):

- the model must start with one of four prefixes, in any case and with spaces around it ignored;
  any other is refused before the stream opens (intended 400; the real server answers 500);
- a Hyperbolic model it has no worker for fails inside the stream: an `error` event with
  `message`, and the stream ends without `[DONE]` (the router's own error);
- the provider key travels in the body's `api_key`; every provider but Ollama and vLLM needs
  one, and without it the turn fails with `Missing API key.` (a worker's error: `[DONE]` follows).
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIXES = ("hyperbolic/", "together-ai/", "ollama/", "vllm/")
KEYLESS = ("ollama/", "vllm/")
HYPERBOLIC_FAMILIES_CONTAINED = ("deepseek", "gpt-oss")
HYPERBOLIC_FAMILIES_STARTING = ("meta-llama/", "qwen/")


class UnknownModelPrefix(ValueError):
    def __init__(self, model: str) -> None:
        super().__init__(f"Invalid or unknown model identifier prefix: '{model}'")


@dataclass(frozen=True)
class TurnFailure:
    """A turn that fails before the model says anything. `breaks_stream`: the router's error (no
    `[DONE]`), else a worker's (the stream still ends with `[DONE]`)."""

    message: str
    breaks_stream: bool


def provider_of(model: str) -> str:
    """The model's provider prefix; UnknownModelPrefix when it has none the server knows."""
    wanted = model.strip().lower()
    for prefix in PREFIXES:
        if wanted.startswith(prefix):
            return prefix
    raise UnknownModelPrefix(model)


def failure_of(model: str, api_key: str | None) -> TurnFailure | None:
    prefix = provider_of(model)
    if prefix == "hyperbolic/":
        name = model.strip().lower().removeprefix(prefix)
        if not (
            any(family in name for family in HYPERBOLIC_FAMILIES_CONTAINED)
            or name.startswith(HYPERBOLIC_FAMILIES_STARTING)
        ):
            return TurnFailure(f"Unsupported Hyperbolic model: {model}", breaks_stream=True)
    if prefix not in KEYLESS and not api_key:
        return TurnFailure("Missing API key.", breaks_stream=False)
    return None
