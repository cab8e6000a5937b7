"""`python -m codegen [--check]`: regenerate codegen/models.py from openapi.yaml, or only check it.

The generator's options live in pyproject.toml (`[tool.datamodel-codegen]`), so this entry point,
`make models` and a bare `datamodel-codegen` in the project root all produce the same file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from datamodel_code_generator.__main__ import main as datamodel_codegen

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    os.chdir(PROJECT_ROOT)  # datamodel-codegen finds pyproject.toml from the working directory
    return int(datamodel_codegen(args))


if __name__ == "__main__":
    sys.exit(main())
