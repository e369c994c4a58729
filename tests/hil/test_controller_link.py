"""Hardware-in-the-loop: handshake, command round trip, watchdog timing, corrupt frames, reconnect.

Runs against the emulator on a pseudo-terminal by default; `pytest tests/hil --port /dev/ttyACM0`
runs the same checks against a real motor controller (wheels off the ground!).
"""

import struct
import time

import pytest
import serial

from genba_actuation import protocol as p

WATCHDOG_TOLERANCE_MS = 25.0  # telemetry period (10 ms) + host scheduling


class Host:
    def __init__(self, s: serial.Serial) -> None:
        self.s = s
        self.dec = p.FrameDecoder()
        self.seq = 0

    def send(self, msg) -> int:
        self.seq = (self.seq + 1) & 0xFF
        self.s.write(p.encode(msg, self.seq))
        return self.seq

    def poll(self, timeout_s: float, pred):
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            for msg, _ in self.dec.feed(self.s.read(4096)):
                if pred(msg):
                    return msg, time.monotonic()
            time.sleep(0.0005)
        return None, None

    def handshake(self) -> p.HelloAck:
        self.send(p.Hello())
        ack, _ = self.poll(0.5, lambda m: isinstance(m, p.HelloAck))
        assert ack is not None, "no HelloAck"
        return ack


def test_handshake(link):
    ack = Host(link).handshake()
    assert ack.version == p.PROTOCOL_VERSION and ack.watchdog_ms > 0


def test_command_round_trip(link):
    h = Host(link)
    h.handshake()
    for k in range(20):
        seq = h.send(p.Velocity(1000 + k, 1000 + k))
        t, _ = h.poll(0.2, lambda m, s=seq: isinstance(m, p.Telemetry) and m.last_seq == s)
        assert t is not None, f"command {seq} not acknowledged in telemetry"
        assert not t.faults & p.Fault.WATCHDOG


def test_watchdog_trip_timing(link):
    h = Host(link)
    ack = h.handshake()
    seq = h.send(p.Velocity(2000, 2000))
    t_cmd = time.monotonic()
    h.poll(0.2, lambda m: isinstance(m, p.Telemetry) and m.last_seq == seq)
    tripped, t_trip = h.poll(1.0, lambda m: isinstance(m, p.Telemetry) and m.faults & p.Fault.WATCHDOG)
    assert tripped is not None, "watchdog never tripped"
    elapsed_ms = (t_trip - t_cmd) * 1000.0
    assert ack.watchdog_ms - WATCHDOG_TOLERANCE_MS <= elapsed_ms <= ack.watchdog_ms + WATCHDOG_TOLERANCE_MS, (
        elapsed_ms
    )
    # Motors off means no current once tripped.
    assert tripped.left_current_ma == 0 and tripped.right_current_ma == 0


def test_corrupt_frames_are_ignored(link, device):
    h = Host(link)
    h.handshake()
    good = h.send(p.Velocity(500, 500))
    h.poll(0.2, lambda m: isinstance(m, p.Telemetry) and m.last_seq == good)
    bad = bytearray(p.encode(p.Velocity(99000, 99000), 200))
    bad[3] ^= 0x40  # flip one bit: CRC must reject it
    link.write(bytes(bad) + b"\x07\x07\x07\x00" + b"\xff" * 10 + b"\x00")
    time.sleep(0.05)
    t, _ = h.poll(0.2, lambda m: isinstance(m, p.Telemetry))
    assert t.last_seq == good, "a corrupt frame was accepted"
    _, emulator = device
    if emulator is not None:
        assert emulator.decoder.frames_bad >= 2
        assert emulator.core.target == [0.5, 0.5]
    seq = h.send(p.Velocity(600, 600))
    assert h.poll(0.2, lambda m: isinstance(m, p.Telemetry) and m.last_seq == seq)[0] is not None


def test_disconnect_trips_watchdog_and_reconnect_restores_control(device):
    port, _ = device
    s = serial.Serial(port, 115200, timeout=0)
    h = Host(s)
    ack = h.handshake()
    h.send(p.Velocity(1500, 1500))
    s.close()  # host vanishes mid-motion
    time.sleep(ack.watchdog_ms / 1000.0 + 0.05)
    s2 = serial.Serial(port, 115200, timeout=0)
    s2.reset_input_buffer()
    h2 = Host(s2)
    t, _ = h2.poll(0.3, lambda m: isinstance(m, p.Telemetry))
    assert t is not None and t.faults & p.Fault.WATCHDOG, "motors must be off after the host vanished"
    h2.handshake()
    seq = h2.send(p.Velocity(800, 800))
    t, _ = h2.poll(0.3, lambda m: isinstance(m, p.Telemetry) and m.last_seq == seq)
    assert t is not None and not t.faults & p.Fault.WATCHDOG
    s2.close()


@pytest.mark.parametrize("version", [0, 2, 255])
def test_unknown_protocol_version_is_not_acknowledged(link, version):
    h = Host(link)
    h.send(p.Hello(version=version))
    ack, _ = h.poll(0.2, lambda m: isinstance(m, p.HelloAck))
    assert ack is None


def test_standalone_emulator_prints_its_port_and_cleans_up(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    link = tmp_path / "ttyEMU"
    proc = subprocess.Popen(
        [sys.executable, "-m", "genba_actuation.emulator", "--link", str(link)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        port = line.split()[0]
        assert port.startswith("/dev/pts/") and f"linked as {link}" in line
        s = serial.Serial(str(link), 115200, timeout=0)
        assert Host(s).handshake().version == p.PROTOCOL_VERSION
        s.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=5)
    assert not os.path.lexists(link)


NAN_BITS = struct.unpack("<i", struct.pack("<f", float("nan")))[0]


@pytest.mark.parametrize("left,right", [(NAN_BITS, NAN_BITS), (2**31 - 1, 2**31 - 1)])
def test_an_impossible_set_point_stops_the_motors_and_is_reported(link, left, right):
    h = Host(link)
    h.handshake()
    seq = h.send(p.Velocity(3000, 3000))
    assert h.poll(0.2, lambda m: isinstance(m, p.Telemetry) and m.last_seq == seq)[0] is not None
    h.send(p.Velocity(left, right))
    t, _ = h.poll(0.2, lambda m: isinstance(m, p.Telemetry) and m.faults & p.Fault.PROTOCOL)
    assert t is not None, "an impossible set-point was not reported"
    assert t.left_current_ma == 0 and t.right_current_ma == 0, "motors must be off"
    seq = h.send(p.Velocity(800, 800))
    t, _ = h.poll(0.2, lambda m: isinstance(m, p.Telemetry) and m.last_seq == seq)
    assert t is not None and not t.faults & p.Fault.PROTOCOL


def test_the_watchdog_trips_while_the_host_does_not_read(link, device):
    """The firmware's watchdog runs on its own timer: a host that stops reading (the link's buffer
    full, every write of the controller blocked) still has its motors cut on time."""
    _, emulator = device
    if emulator is None:
        pytest.skip("needs the emulator: it fills the link's buffer from the controller side")
    h = Host(link)
    ack = h.handshake()
    h.send(p.Velocity(6500, 6500))
    time.sleep(0.02)
    emulator.inject_garbage = b"\x55" * 1_000_000  # more than any tty buffer holds: the write would block
    for _ in range(10):  # keep commanding for a while, reading nothing
        h.send(p.Velocity(6500, 6500))
        time.sleep(0.01)
    time.sleep(ack.watchdog_ms / 1000.0 + 0.1)
    with emulator._lock:
        assert emulator.core.output == [0.0, 0.0] and emulator.core.watchdog_tripped
