"""`genba run --view`: a Foxglove WebSocket client sees the run's scan, frames, scene and anonymized
image advertised, and never the raw camera (the data policy's secret topics)."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WANTED = {
    "/scan",
    "/tf",
    "/tf_static",
    "/map",
    "/robot_description",
    "/safety/zones",
    "/camera/image_anonymized",
}
SECRET = {"/camera/image_raw", "/perception/image"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_the_live_view_advertises_the_run_and_never_the_raw_camera(tmp_path):
    from websockets.sync.client import connect

    port = _free_port()
    env = dict(os.environ, GENBA_ROOT=str(ROOT))
    env.pop("ROS_DOMAIN_ID", None)
    env.pop("PYOPENGL_PLATFORM", None)  # set by MuJoCo in this process when a test rendered here
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "genba_bringup.cli",
            "run",
            "--scenario",
            "short_run",
            "--view",
            "--view-port",
            str(port),
            "--out",
            str(tmp_path / "run"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    lines: list[str] = []
    up = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if "pose (" in line:
                up.set()  # the stack is up: the simulator's odometry reached the CLI

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        while not any("live view on" in ln for ln in lines):
            assert time.monotonic() < deadline and proc.poll() is None, "".join(lines)
            time.sleep(0.1)
        advertised: dict[str, dict] = {}
        with connect(f"ws://127.0.0.1:{port}", subprotocols=["foxglove.sdk.v1"]) as ws:
            assert up.wait(60), "".join(lines)
            t_up = time.monotonic()
            while not WANTED <= set(advertised) and time.monotonic() < t_up + 5.0:
                try:
                    msg = ws.recv(timeout=0.5)
                except TimeoutError:
                    continue
                if isinstance(msg, str) and json.loads(msg).get("op") == "advertise":
                    for ch in json.loads(msg)["channels"]:
                        advertised[ch["topic"]] = ch
            waited = time.monotonic() - t_up
        assert WANTED <= set(advertised), (sorted(advertised), "".join(lines[-20:]))
        assert not SECRET & set(advertised)
        assert (
            advertised["/scan"]["encoding"] == "cdr"
            and advertised["/scan"]["schemaName"] == "sensor_msgs/msg/LaserScan"
        )
        assert advertised["/tf"]["schemaName"] == "tf2_msgs/msg/TFMessage"
        print(f"\nall channels advertised {waited:.2f} s after the stack was up")
    finally:
        proc.send_signal(signal.SIGINT)  # the CLI stops its nodes (they run in sessions of their own)
        proc.wait(timeout=30)
