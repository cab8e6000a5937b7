"""Ids look like the real server's and repeat under a seed; the seeded clock moves one second a reading."""

from __future__ import annotations

import re

from mock_server.ids import SEEDED_EPOCH, Clock, IdFactory


def test_an_id_is_its_prefix_and_22_alphanumerics():
    assert re.fullmatch(r"message_[A-Za-z0-9]{22}", IdFactory().new("message"))


def test_unseeded_ids_use_every_character_of_the_alphabet_and_do_not_repeat():
    ids = IdFactory()
    tokens = {ids.token(22) for _ in range(2000)}
    assert len(tokens) == 2000
    assert len(set("".join(tokens))) == 62


def test_the_same_seed_mints_the_same_ids_and_another_seed_others():
    assert [IdFactory(3).new("run") for _ in range(2)] == [IdFactory(3).new("run") for _ in range(2)]
    assert IdFactory(3).new("run") != IdFactory(4).new("run")


def test_a_seeded_clock_ticks_one_second_per_reading_in_the_real_servers_iso_form():
    clock = Clock(seed=1)
    assert clock.now() == SEEDED_EPOCH + 1 and clock.now() == SEEDED_EPOCH + 2
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", clock.iso())
