"""Perception pipeline benchmarks: throughput and added latency, p50/p99.

Run: ./genba test tests/benchmarks/test_bench_perception.py --run-benchmarks -s
"""

import time
from pathlib import Path

import cv2
import numpy as np
from bench_report import report
from skimage import data

from genba_perception.faces import open_face_detector
from genba_perception.image import normalise, resize_area
from genba_perception.lidar_protocols import Ld06Decoder, encode_ld06
from genba_perception.privacy import PrivacyFilter
from genba_perception.scan_assembler import ScanAssembler


def test_lidar_pipeline():
    step = 360.0 / 456
    rng = np.random.default_rng(0)
    packets = [
        encode_ld06(
            3600, i * step, (i + 11) * step % 360, i, [(int(rng.uniform(100, 8000)), 200) for _ in range(12)]
        )
        for i in range(0, 456, 12)
    ]
    dec, asm = Ld06Decoder(), ScanAssembler(360)
    per_packet, per_scan_close = [], []
    t_sim = 0.0
    t_all = time.perf_counter()
    for _ in range(60):
        for pkt in packets:
            t0 = time.perf_counter()
            frames = []
            for p in dec.feed(pkt):
                for m in p.measurements():
                    t_sim += 0.1 / 456
                    f = asm.add(m, t_sim)
                    if f is not None:
                        frames.append(f)
            dt = (time.perf_counter() - t0) * 1e3
            (per_scan_close if frames else per_packet).append(dt)
    total = time.perf_counter() - t_all
    print(
        f"\nLD06 driver core, 60 revolutions x 456 points ({60 / total:.0f} revolutions/s on one core, "
        f"{60 / total / 10:.0f}x the scanner's 10 Hz):"
    )
    report("decode + assemble, one 47-byte packet", per_packet, "ms")
    report("packet that completes a scan (added latency)", per_scan_close, "ms")
    assert per_scan_close


def test_camera_pipeline():
    manifest = Path(__file__).resolve().parents[2] / "models" / "manifest.yaml"
    filt = PrivacyFilter(open_face_detector(manifest, backend="cpu", log=lambda m: None).detector)
    img640 = cv2.resize(data.astronaut(), (640, 480))
    img128 = cv2.resize(img640, (128, 96), interpolation=cv2.INTER_AREA)
    print("\ncamera pipeline per frame (privacy filter = CenterFace x2 + HOG people + pixelation, 1 thread):")
    for name, img in (("640x480", img640), ("128x96 (sim camera)", img128)):
        filt.filter(img)
        ts, pre = [], []
        for _ in range(40):
            t0 = time.perf_counter()
            assert filt.filter(img).fault == ""
            ts.append((time.perf_counter() - t0) * 1e3)
            t0 = time.perf_counter()
            normalise(resize_area(img, 48, 64))
            pre.append((time.perf_counter() - t0) * 1e3)
        r = report(f"privacy filter {name}", ts, "ms")
        print(f"    -> {1000.0 / r['p50']:.0f} frames/s on one core")
        report(f"policy preprocessing {name} -> 64x48", pre, "ms")
    assert ts and pre
