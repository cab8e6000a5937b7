"""The parameter stage's own query reading (validation.parse_query) is parse_qs's, on any query."""

from __future__ import annotations

from urllib.parse import parse_qs

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.validation import parse_query

# Queries built from the characters that matter to parsing, and any text besides.
pieces = st.sampled_from(["&", "=", ";", "%", "%20", "%zz", "+", "a", "limit", "20", "é", "", " "])
queries = st.one_of(st.lists(pieces, max_size=12).map("".join), st.text(max_size=40))


@settings(max_examples=2000, deadline=None)
@given(query=queries)
def test_a_query_reads_as_parse_qs_reads_it(query: str) -> None:
    assert parse_query(query) == parse_qs(query, keep_blank_values=True)


def test_repeated_names_keep_every_value_in_order() -> None:
    assert parse_query("order=asc&limit=5&order=desc") == {"order": ["asc", "desc"], "limit": ["5"]}
