"""The contract suite that checks any Entities API server against openapi.yaml (issue #5)."""
