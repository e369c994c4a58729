"""The serial link every genba driver uses: one-line open errors, backoff, never raising."""

import pytest

from genba_common import serial_link
from genba_common.serial_link import SerialLink


def test_open_errors_name_the_port_and_cause(tmp_path, monkeypatch):
    missing = str(tmp_path / "ttyACM9")
    assert (
        serial_link.describe_open_error(missing, OSError("x"))
        == f"serial port {missing} does not exist (unplugged or wrong path)"
    )
    dev = tmp_path / "ttyACM0"
    dev.write_text("")
    monkeypatch.setattr(serial_link.os, "access", lambda *_: False)  # root ignores modes: fake the denial
    msg = serial_link.describe_open_error(str(dev), OSError("Permission denied"))
    assert "permission denied" in msg and "dialout" in msg and str(dev) in msg


def test_serial_link_backs_off_exponentially_and_never_raises(tmp_path):
    link = SerialLink(str(tmp_path / "nope"), backoff_initial_s=0.1, backoff_max_s=0.4)
    attempts = []
    for k in range(200):  # 2 s in 10 ms steps
        t = k * 0.01
        before = link._next_try
        assert link.try_open(t) is False
        if link._next_try != before:
            attempts.append(t)
    gaps = [round(b - a, 2) for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps[:4] == pytest.approx([0.1, 0.2, 0.4, 0.4], abs=0.011)  # 10 ms polling resolution
    assert "does not exist" in link.last_error
    assert link.read() == b"" and link.write(b"x") is False and not link.is_open
