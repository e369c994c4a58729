"""The simulator as the robot's devices: what the robot stack's own drivers read from them."""

import os
import socket

import numpy as np
import pytest
import serial

from genba_perception.camera_source import SourceSpec, open_source
from genba_perception.lidar_models import MODELS
from genba_perception.lidar_protocols import Ld06Decoder
from genba_perception.scan_assembler import ScanAssembler
from genba_sim.devices import FleetEndpoint, FrameFolder, Ld06Stream, PtyDevice


def driver_scans(stream: Ld06Stream, seconds: float, dt: float = 0.01):
    """What the LiDAR driver assembles from the stream (decoder and assembler as lidar_node sets them)."""
    model = MODELS["ld06"]
    dec = Ld06Decoder()
    asm = ScanAssembler(360, model.range_min_m, model.range_max_m, clockwise=True,
                        angle_offset_rad=model.angle_offset_rad("vendor"))
    scans, t = [], 0.0
    while t < seconds:
        for pkt in dec.feed(stream.packets(t)):
            for m in pkt.measurements():
                frame = asm.add(m, t)
                if frame is not None:
                    scans.append(frame)
        t += dt
    return scans, dec


def test_ld06_stream_gives_the_driver_the_simulated_ranges_beam_for_beam():
    rng = np.random.default_rng(3)
    ranges = rng.uniform(0.3, 11.0, 360)
    ranges[10:20] = np.inf  # nothing in range
    ranges[200] = -np.inf  # closer than the simulated scanner measures
    ranges[300] = np.nan  # no measurement
    stream = Ld06Stream(360, rate_hz=10.0)
    stream.set_scan(ranges)
    scans, dec = driver_scans(stream, 0.55)
    assert dec.packets_bad == dec.packets_bad_span == 0 and dec.packets_ok >= 30 * 5
    assert len(scans) >= 3  # a revolution each 0.1 s (the first, partial, is dropped)
    got = scans[-1].ranges
    finite = np.isfinite(ranges)
    assert np.allclose(got[finite], ranges[finite], atol=0.0006)  # millimetres on the wire
    # the simulator's "nothing in range" stays beyond range; no measurement (0 on the wire) is
    # unknown to the driver, never "free"
    assert np.isposinf(got[10:20]).all() and np.isnan(got[300])
    assert got[200] == pytest.approx(0.1)  # too close reads as an obstacle right there
    assert abs(scans[-1].scan_time - 0.1) < 0.011


def test_ld06_stream_follows_a_new_scan_within_a_revolution():
    stream = Ld06Stream(360, rate_hz=10.0)
    stream.set_scan(np.full(360, 2.0))
    dec = Ld06Decoder()
    list(dec.feed(stream.packets(0.0)))
    list(dec.feed(stream.packets(0.3)))
    stream.set_scan(np.full(360, 5.0))
    pkts = dec.feed(stream.packets(0.42))
    assert pkts and all(d == 5000 for p in pkts[-3:] for d, _ in p.points)


def test_ld06_stream_needs_whole_packets():
    with pytest.raises(ValueError, match="multiple of 12"):
        Ld06Stream(100)


def test_pty_device_unplugged_fails_the_reader_and_can_be_plugged_back(tmp_path):
    link = str(tmp_path / "ttyLIDAR")
    dev = PtyDevice(link)
    try:
        port = serial.Serial(link, 230400, timeout=0.2)
        dev.write(b"\x54\x2c hello")
        assert port.read(8) == b"\x54\x2c hello"
        dev.unplug()
        assert not os.path.exists(link)
        with pytest.raises(serial.SerialException):
            for _ in range(5):
                port.read(1)  # the other end is gone: EIO, as an unplugged USB adapter gives
        port.close()
        dev.plug()
        port = serial.Serial(link, 230400, timeout=0.2)
        dev.write(b"back")
        assert port.read(4) == b"back"
        port.close()
    finally:
        dev.close()


def test_fleet_endpoint_refuses_connections_while_down():
    fleet = FleetEndpoint(0)
    try:
        socket.create_connection(("127.0.0.1", fleet.port), timeout=1.0).close()
        fleet.serve()
        fleet.set_up(False)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", fleet.port), timeout=1.0)
        fleet.set_up(True)
        socket.create_connection(("127.0.0.1", fleet.port), timeout=1.0).close()
    finally:
        fleet.close()


def test_frame_folder_and_the_following_camera_source(tmp_path):
    frames = FrameFolder(str(tmp_path / "cam"), keep=3)
    src = open_source(SourceSpec("folder", str(tmp_path / "cam")), follow=True)  # empty: waits
    assert src.read() is None
    img = np.zeros((96, 128, 3), np.uint8)
    for k in range(5):
        img[:, :, 0] = 10 * (k + 1)
        frames.write(img)
    got = src.read()
    assert got.shape == (96, 128, 3) and int(got[0, 0, 0]) == 50  # the newest, not the oldest
    assert src.read() is None  # nothing new since
    assert len(list((tmp_path / "cam").glob("frame_*.png"))) == 3  # only the newest kept
    img[:, :, 0] = 77
    frames.write(img)
    assert int(src.read()[0, 0, 0]) == 77
