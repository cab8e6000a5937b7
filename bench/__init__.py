"""The benchmark harness (`make bench`): the mock against Prism and a bare Starlette ceiling.

Not part of `make test`; see README.md, "Benchmarks", and bench/run.py.
"""
