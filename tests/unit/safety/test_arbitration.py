"""Command arbitration: priorities, timeouts, health rules and locks."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genba_safety.arbitration import CommandMux, Health, Lock, Source

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
