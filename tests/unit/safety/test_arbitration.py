"""Command arbitration: priorities, timeouts, health rules and locks."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genba_safety.arbitration import CommandMux, Health, Lock, Source, health_of_values

POLICY = Source("policy", 10, 0.25, health="policy/health")
TELEOP = Source("teleop", 100, 0.5)
NAV2 = Source("nav2", 20, 0.3)
ESTOP = Lock("estop", 255)


def mux(*sources, locks=(ESTOP,)):
    return CommandMux(list(sources), list(locks), health_timeout_s=0.5)


def test_teleop_wins_over_the_policy_while_fresh_then_hands_back():
    m = mux(POLICY, TELEOP)
    m.offer_command("policy", 0.8, 0.1, 100.0, 0.0)
    m.offer_health("policy/health", Health(True, 0.2, 4.0, 100.0), 0.0)
    m.offer_command("teleop", 0.3, -0.5, 0.0, 0.0)
    sel = m.select(0.1)
    assert (sel.source, sel.v, sel.w) == ("teleop", 0.3, -0.5)
    assert sel.health == Health(True, 0.0, 0.0, 0.0)  # a fresh joystick is healthy
    m.offer_command("policy", 0.7, 0.0, 100.4, 0.4)
    m.offer_health("policy/health", Health(True, 0.3, 5.0, 100.4), 0.4)
    assert m.select(0.5).source == "teleop"  # exactly at the teleop timeout: still fresh
    sel = m.select(0.5001)  # released: the policy again, with its own health report for the supervisor
    assert (sel.source, sel.v, sel.stamp, sel.health.ood_score) == ("policy", 0.7, 100.4, 0.3)


def test_the_policy_without_a_fresh_valid_health_report_does_not_win():
    backup = Source("backup", 1, 0.3)  # a lower source: wins while the policy may not
    m = mux(POLICY, backup)
    m.offer_command("policy", 0.8, 0.0, 1.0, 0.0)
    m.offer_command("backup", 0.2, 0.0, 1.0, 0.0)
    assert m.select(0.1).source == "backup"  # no report yet
    m.offer_health("policy/health", Health(False), 0.1)
    assert m.select(0.1).source == "backup"  # invalid output
    m.offer_health("policy/health", Health(True), 0.15)
    assert m.select(0.2).source == "policy"
    m.offer_command("policy", 0.8, 0.0, 1.0, 0.5)
    assert m.select(0.66).source is None  # report 0.51 s old: stale; backup's command too (0.66 s)


def test_stale_commands_and_non_finite_ones_are_not_fresh():
    m = mux(TELEOP)
    m.offer_command("teleop", 0.3, 0.0, 0.0, 0.0)
    assert m.select(0.5).source == "teleop" and m.select(0.51).source is None
    m.offer_command("teleop", math.nan, 0.0, 0.0, 1.0)
    assert m.select(1.0).source is None
    m.offer_command("teleop", 0.3, 0.0, 0.0, 2.0)
    assert m.select(1.9).source is None  # a command from the future of the clock: not fresh


def test_an_engaged_lock_blocks_every_source_at_or_below_it_and_holds_zero():
    m = mux(POLICY, TELEOP, locks=(ESTOP, Lock("pause", 50)))
    m.offer_command("teleop", 0.3, 0.2, 0.0, 0.0)
    m.offer_lock("pause", True, 0.0)
    assert m.select(0.1).source == "teleop"  # teleop (100) is above the pause lock (50)
    m.offer_lock("estop", True, 0.1)
    sel = m.select(0.2)
    assert (sel.source, sel.v, sel.w, sel.stamp) == ("lock:estop", 0.0, 0.0, None)
    assert sel.health.output_valid
    m.offer_lock("estop", False, 0.3)
    assert m.select(0.35).source == "teleop"


def test_a_lock_with_a_timeout_is_engaged_by_silence():
    m = mux(TELEOP, locks=(Lock("deadman", 200, timeout_s=0.2),))
    m.offer_command("teleop", 0.3, 0.0, 0.0, 0.0)
    assert m.select(0.1).source == "lock:deadman"  # never heard: engaged
    m.offer_lock("deadman", False, 0.1)
    assert m.select(0.2).source == "teleop"
    m.offer_command("teleop", 0.3, 0.0, 0.0, 0.25)
    assert m.select(0.31).source == "lock:deadman"


def test_equal_priorities_keep_the_configured_order_and_names_are_unique():
    a, b = Source("a", 5, 1.0), Source("b", 5, 1.0)
    m = mux(a, b, locks=())
    m.offer_command("a", 1.0, 0.0, 0.0, 0.0)
    m.offer_command("b", 2.0, 0.0, 0.0, 0.0)
    assert m.select(0.1).source == "a"
    with pytest.raises(ValueError, match="unique"):
        CommandMux([a, Source("a", 1, 1.0)])


def test_the_limits_of_freshness_are_inclusive_at_both_ends():
    m = CommandMux([POLICY, Source("pad", 50, 0.25)], health_timeout_s=0.25)
    m.offer_command("pad", 0.3, 0.0, 7.0, 0.0)
    sel = m.select(0.0)  # received this instant
    assert (sel.source, sel.health) == ("pad", Health(True, 0.0, 0.0, 7.0))  # the command's own stamp
    assert m.select(0.25).source == "pad" and m.select(0.2501).source is None
    m.offer_command("policy", 0.8, 0.0, 1.0, 1.0)
    m.offer_health("policy/health", Health(True, 0.1, 3.0, 1.0), 1.0)
    assert m.select(1.0).source == "policy"  # the report received this instant
    m.offer_command("policy", 0.8, 0.0, 1.0, 1.25)
    assert m.select(1.25).source == "policy"  # the report exactly health_timeout_s old
    assert m.select(1.2501).source is None
    locked = CommandMux([POLICY], [Lock("deadman", 40, timeout_s=0.25)])
    locked.offer_lock("deadman", False, 0.5)
    assert locked.lock_level(0.75) is None and locked.lock_level(0.7501) == (40, "deadman")


def test_a_lock_blocks_a_source_of_the_same_priority():
    m = CommandMux([Source("pad", 50, 1.0)], [Lock("pause", 50)])
    m.offer_command("pad", 0.3, 0.0, 0.0, 0.0)
    m.offer_lock("pause", True, 0.0)
    assert m.select(0.1).source == "lock:pause"


def test_a_non_finite_command_withdraws_the_sources_last_one_and_no_locks_is_the_default():
    m = CommandMux([TELEOP])
    m.offer_command("teleop", 0.3, 0.0, 0.0, 0.0)
    assert m.select(0.1).source == "teleop"
    m.offer_command("teleop", 0.3, math.inf, 0.0, 0.2)
    assert m.select(0.2).source is None  # the earlier command (still within its timeout) is gone


@pytest.mark.parametrize("values, health", [
    ({"output_valid": "true", "ood_score": "0.25", "inference_ms": "4.5"}, Health(True, 0.25, 4.5, 9.0)),
    ({"output_valid": "false", "ood_score": "0.25", "inference_ms": "4.5"}, Health(False, 0.25, 4.5, 9.0)),
    ({"output_valid": "True", "ood_score": "0", "inference_ms": "1"}, Health(False, 0.0, 1.0, 9.0)),
])
def test_a_health_report_is_read_from_its_key_values(values, health):
    assert health_of_values(values, 9.0) == health


def test_a_health_report_missing_or_garbled_is_not_valid_or_has_nan_figures():
    assert health_of_values({}, 9.0).output_valid is False
    missing = health_of_values({"output_valid": "true"}, 9.0)  # the supervisor's limits reject NaN
    assert math.isnan(missing.ood_score) and math.isnan(missing.inference_ms) and missing.stamp == 9.0
    garbled = health_of_values({"output_valid": "true", "ood_score": "x", "inference_ms": "1"}, 9.0)
    assert garbled.output_valid is False and math.isnan(garbled.ood_score)
    assert math.isnan(garbled.inference_ms) and garbled.stamp == 9.0


@given(st.lists(st.tuples(st.sampled_from(["policy", "teleop", "nav2"]), st.floats(-1, 1), st.floats(0, 1)),
                max_size=20), st.booleans(), st.floats(0, 1.5))
def test_the_winner_is_never_outranked_by_a_fresh_healthy_source(cmds, estop, t):
    m = mux(POLICY, TELEOP, NAV2)
    m.offer_health("policy/health", Health(True), 0.0)
    for name, v, at in cmds:
        m.offer_command(name, v, 0.0, 0.0, at)
    m.offer_lock("estop", estop, 0.0)
    sel = m.select(t)
    if estop:
        assert sel.source == "lock:estop" and sel.v == 0.0
        return
    eligible = [s for s in m.sources if m.healthy(s, t) is not None]
    if not eligible:
        assert sel.source is None
    else:
        assert sel.source == eligible[0].name and sel.v == m._cmd[sel.source][0]


def test_the_defaults_a_new_source_without_a_command_and_a_report_without_figures():
    m = CommandMux([TELEOP])
    assert m.health_timeout_s == 0.5 and m.locks == []
    m.offer_command("teleop", math.nan, 0.0, 0.0, 0.0)  # never heard before: nothing to withdraw
    assert m.select(0.0).source is None
    assert health_of_values({}).stamp == 0.0
    h = health_of_values({"output_valid": "true"})
    assert h.output_valid is True and math.isnan(h.ood_score)  # NaN figures: the supervisor's limits reject
