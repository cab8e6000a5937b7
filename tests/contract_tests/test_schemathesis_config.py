"""The config each run hands Schemathesis: our checks loaded as hooks, the contract's business-rule
400s accepted as answers to valid requests, watch streams cut short, and no key written down."""

from __future__ import annotations

import tomllib
from pathlib import Path

from contract_tests import contract, schemathesis_config
from contract_tests.options import Options
from contract_tests.seed import Seeded
from contract_tests.seed import config as seed_config

SPEC = contract.load()


def build(**overrides: object) -> dict[str, object]:
    options = Options(base_url="http://127.0.0.1:9000", api_key="ea_secret_key_123", **overrides)  # type: ignore[arg-type]
    return schemathesis_config.build(options, SPEC, Path("/tmp/report"), {})


def test_our_checks_are_loaded_through_the_hooks_setting_and_the_key_comes_from_the_environment():
    config = build()
    assert config["hooks"] == "contract_tests.checks"
    assert config["auth"] == {"openapi": {"ApiKeyAuth": {"api_key": "${CONTRACT_TESTS_API_KEY}"}}}
    assert "ea_secret_key_123" not in schemathesis_config.to_toml(config)


def test_an_operation_whose_400_is_a_business_rule_accepts_it_as_an_answer_to_valid_data():
    by_id = {entry["include-operation-id"]: entry for entry in build()["operations"]}
    accepting = {op for op, entry in by_id.items() if "checks" in entry}
    assert {"createThread", "updateThread", "createAssistant", "createCompletion", "provisionUser"} <= accepting
    expected = by_id["createThread"]["checks"]["positive_data_acceptance"]["expected-statuses"]
    assert "400" in expected and "422" not in expected


def test_the_undecodable_body_400_every_body_operation_documents_is_no_business_rule():
    by_id = {entry["include-operation-id"]: entry for entry in build()["operations"]}
    assert "400" in SPEC.operations["createMessage"].statuses
    assert "checks" not in by_id.get("createMessage", {}), "a valid message is never an undecodable body"


def test_provisionings_string_422_is_a_rule_valid_data_can_break():
    by_id = {entry["include-operation-id"]: entry for entry in build()["operations"]}
    assert by_id["provisionUser"]["checks"]["positive_data_acceptance"]["expected-statuses"][-1] == "422"


def test_reads_under_a_soft_deleted_store_or_a_removed_file_are_no_use_after_free():
    by_id = {entry["include-operation-id"]: entry for entry in build()["operations"]}
    off = {op for op, entry in by_id.items() if entry.get("checks", {}).get("use_after_free") == {"enabled": False}}
    assert off == {"getVectorStore", "listVectorStoreFiles", "updateVectorStoreFileStatus"}
    assert "checks" not in by_id.get("getVectorStoreByCollection", {}), "another path: still checked"


def test_only_the_watch_stream_gets_a_short_timeout_and_few_examples():
    watched = {entry["include-operation-id"]: entry for entry in build()["operations"] if "request-timeout" in entry}
    assert list(watched) == ["streamRunEvents"]  # the completion stream ends by itself
    assert watched["streamRunEvents"]["generation"] == {"max-examples": 5}


def test_budgets_exclusions_and_phases_reach_the_config():
    config = build(max_examples=7, seed=42, phases=("examples", "fuzzing"), exclude_checks=("use_after_free",))
    assert config["seed"] == 42 and config["generation"]["max-examples"] == 7
    assert {name for name, phase in config["phases"].items() if phase["enabled"]} == {"examples", "fuzzing"}
    # allow_header_conformance is always off: it judges OPTIONS, which the contract does not describe.
    assert config["checks"] == {"allow_header_conformance": {"enabled": False}, "use_after_free": {"enabled": False}}


def test_seeded_ids_become_dictionaries_bound_to_path_parameters_and_body_fields():
    seeded = Seeded(ids={"thread_id": ["thread_a", "thread_b"]})
    config = seed_config(seeded)
    assert config["dictionaries"] == {"thread_id": {"values": ["thread_a", "thread_b"]}}
    assert config["parameters"]["path.thread_id"] == {"dictionary": "thread_id", "probability": 0.5}
    assert config["parameters"]["body.thread_id"] == {"dictionary": "thread_id", "probability": 0.5}


def test_the_written_toml_reads_back_as_the_same_config():
    config = {**build(), **seed_config(Seeded(ids={"run_id": ["run_x"]}))}
    assert tomllib.loads(schemathesis_config.to_toml(config)) == config


def test_a_session_is_sent_by_schemathesis_as_a_header_on_every_request_and_none_without_one():
    config = build(session="contract-ci")
    assert config["headers"] == {"X-Mock-Session": "contract-ci"}
    assert tomllib.loads(schemathesis_config.to_toml(config))["headers"] == {"X-Mock-Session": "contract-ci"}
    assert "headers" not in build()
