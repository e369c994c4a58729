"""Serial link benchmark: command -> telemetry echo over a pseudo-terminal (target p99 <= 2 ms)."""

import os
import threading
import time

import serial
from bench_report import report

from genba_actuation import protocol as p
from genba_actuation.emulator import PtyController


def test_command_to_telemetry_round_trip():
    ctl = PtyController().start()
    s = serial.Serial(ctl.port, 115200, timeout=0)
    dec = p.FrameDecoder()
    s.write(p.encode(p.Hello(), 0))
    time.sleep(0.05)
    dec.feed(s.read(4096))
    rtt = []
    try:
        for k in range(2000):
            seq = (k % 250) + 1
            t0 = time.perf_counter()
            s.write(p.encode(p.Velocity(1000, 1000), seq))
            done = False
            while not done:
                data = s.read(4096)
                if not data:
                    time.sleep(0)
                    continue
                done = any(isinstance(m, p.Telemetry) and m.last_seq == seq for m, _ in dec.feed(data))
            rtt.append((time.perf_counter() - t0) * 1000.0)
    finally:
        s.close()
        ctl.close()
    # Baseline in the same run: the pty itself, echoing raw bytes back with no protocol at all.
    master, slave = os.openpty()
    import tty
    tty.setraw(slave)
    stop = threading.Event()

    def echo():
        while not stop.is_set():
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            os.write(master, data)
    th = threading.Thread(target=echo, daemon=True)
    th.start()
    raw = serial.Serial(os.ttyname(slave), 115200, timeout=0)
    base = []
    frame = p.encode(p.Velocity(1000, 1000), 1)
    for _ in range(2000):
        t0 = time.perf_counter()
        raw.write(frame)
        got = b""
        while len(got) < len(frame):
            got += raw.read(4096)
        base.append((time.perf_counter() - t0) * 1000.0)
    stop.set()
    raw.close()
    os.close(master)
    os.close(slave)
    print("\nserial link over a pseudo-terminal:")
    floor = report("raw byte echo (transport floor)", base[100:], "ms")
    report("command -> telemetry echo (genba protocol)", rtt[100:], "ms", figure="serial_round_trip",
           baseline=floor)
    assert len(rtt) == 2000
