"""`python -m contract_tests --base-url URL --api-key KEY [--admin-key KEY] [options]`: check a
server against openapi.yaml. Exit code 0: the contract is kept; 1: contract failures; 2: the
suite could not run (server unreachable, key rejected, bad options)."""

from __future__ import annotations

import sys

from contract_tests.options import OptionsError, parse
from contract_tests.runner import COULD_NOT_RUN, CouldNotRun, run


def main(argv: list[str] | None = None) -> int:
    try:
        options = parse(argv)
    except OptionsError as error:
        if str(error):
            print(f"contract_tests: {error}", file=sys.stderr)
        return COULD_NOT_RUN
    try:
        return run(options)
    except CouldNotRun as error:
        print(f"contract_tests: could not run: {error}", file=sys.stderr)
        return COULD_NOT_RUN


if __name__ == "__main__":
    sys.exit(main())
