"""Reason codes: one Enum, the same string in the audit log, diagnostics and tests, and the mode
each input reason calls for."""

import json

from genba_safety.modes import Mode
from genba_safety.reasons import MODE_CALLED_FOR, STOPS, Reason


def test_a_reason_is_its_code_wherever_it_is_written():
    r = Reason.ZONE_STOP_FRONT
    assert r == "ZONE_STOP_FRONT" and str(r) == f"{r}" == "ZONE_STOP_FRONT"
    assert json.dumps({"reasons": [r, Reason.CMD_STALE]}) == '{"reasons": ["ZONE_STOP_FRONT", "CMD_STALE"]}'
    assert ", ".join([Reason.TTC_SLOW, Reason.LIMIT_RATE]) == "TTC_SLOW, LIMIT_RATE"
    assert all(m.name == m.value for m in Reason)


def test_every_input_reason_calls_for_a_mode_and_the_rest_for_none():
    calling = {r for r in Reason if r in MODE_CALLED_FOR}
    assert {r for r, m in MODE_CALLED_FOR.items() if m == Mode.MRM} == {
        Reason.CLOCK_STUCK, Reason.CLOCK_JUMP, Reason.SCAN_STALE, Reason.SCAN_INVALID, Reason.SCAN_DEGRADED,
        Reason.ODOM_STALE}
    assert MODE_CALLED_FOR[Reason.ESTOP_REQUESTED] == Mode.ESTOP
    assert MODE_CALLED_FOR[Reason.CLOUD_LOST] == Mode.DEGRADED
    assert not calling & set(STOPS) and Mode.NOMINAL not in MODE_CALLED_FOR.values()
    assert Reason.stale("scan") is Reason.SCAN_STALE and Reason.hold(Mode.MRM) is Reason.HOLD_MRM
