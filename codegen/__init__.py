"""Pydantic v2 models generated from openapi.yaml.

`codegen.models` is written by datamodel-codegen (`make models`) and never edited by hand;
`make check-models` fails when it no longer matches the contract. Import models from it:
`from codegen.models import MessageRead`.
"""
