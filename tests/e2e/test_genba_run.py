"""End-to-end: the whole stack, as the README's run command starts it, on a short scenario."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli_env(**extra) -> dict:
    """The environment a user's shell gives `genba run`."""
    env = dict(os.environ, GENBA_ROOT=str(ROOT))
    env.pop("ROS_DOMAIN_ID", None)  # each run picks its own domain
    env.pop("PYOPENGL_PLATFORM", None)  # set by MuJoCo in this process when a test rendered here
    env.update(extra)
    return env


def genba(*args, env_extra=None, timeout=180):
    env = cli_env(**(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "genba_bringup.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT)


@pytest.mark.slow
def test_short_scenario_reaches_goal_without_collision(tmp_path):
    run_dir = tmp_path / "run"
    r = genba("run", "--scenario", "short_run", "--out", str(run_dir))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "== genba run summary ==" in r.stdout and "waiting for the stack" in r.stdout  # progress + summary
    summary = json.loads((run_dir / "summary.json").read_text())
    ep = summary["episode"]
    assert ep["status"] == "goal_reached" and ep["collisions"] == 0
    assert ep["min_obstacle_distance_m"] > 0.0
    for stage in ("perception", "policy", "safety", "actuation", "privacy"):
        assert summary["latency"][stage]["n"] > 10, stage
    # the privacy filter's speed is a figure of the run (summary.json, report.html) and of its benchmark,
    # never a threshold here: it depends on the machine's load
    assert summary["node_failure"] is None
    audit = [json.loads(line) for line in (run_dir / "privacy_audit.jsonl").read_text().splitlines()]
    assert audit[0]["event"] == "detector" and audit[0]["status"] == "ok"  # CenterFace, hash-checked
    assert not any(r["event"] == "fail_closed" for r in audit)
    # The PNG plot and the audit log exist; the recording is a real MCAP that rosbags reads.
    assert (run_dir / "trajectory.png").read_bytes()[:4] == b"\x89PNG"
    assert (run_dir / "safety_audit.jsonl").exists()
    # report.html: self-contained (three inline figures, nothing fetched); its interventions are the audit's
    from genba_bringup.html_report import intervention_segments

    page = (run_dir / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == 3 and "http://" not in page and "https://" not in page
    assert "goal_reached" in page and "Interventions" in page
    segments = intervention_segments(run_dir / "safety_audit.jsonl")
    assert segments and page.count("<tr>") == len(segments) + 1
    assert all(r in page for seg in segments for r in seg["reasons"])
    from rosbags.highlevel import AnyReader
    from rosbags.typesys import Stores, get_typestore

    from genba_bringup.stack import default_stack_path, load_stack

    record = load_stack(default_stack_path(), {"GENBA_ROOT": str(ROOT), "RUN_DIR": "", "SCENARIO": "",
                                               "CONTROLLER_PORT": ""}).record
    with AnyReader([run_dir / "recording"], default_typestore=get_typestore(Stores.ROS2_KILTED)) as reader:
        topics = {c.topic for c in reader.connections}
        counts = {t: 0 for t in topics}
        for c, _, _ in reader.messages():
            counts[c.topic] += 1
        # every topic the stack records has messages (latched ones, such as /map, once): the student
        # drives by default, so its route is there, and the supervisor's people tracks
        missing = [t for t in record if not counts.get(t)]
        assert not missing, (missing, counts)
        assert counts["/policy/route"] > 0 and counts["/safety/tracks"] > 0
        assert counts["/scan"] > 20 and counts["/camera/image_anonymized"] > 20 and counts["/tf"] > 100
        assert counts["/map"] == counts["/robot_description"] == 1 and counts["/tf_static"] >= 3
        # the publishers' QoS are stored, so a replay can restore them
        qos = {c.topic: c.ext.offered_qos_profiles for c in reader.connections}
        assert qos["/map"][0].durability.name == "TRANSIENT_LOCAL"
        assert qos["/scan"][0].reliability.name == "BEST_EFFORT"
        # raw images of people stay off the recording, whatever the stack lists
        assert not topics & {"/camera/image_raw", "/perception/image"}
        conns = [c for c in reader.connections if c.topic == "/cmd_vel_safe"]
        speeds = [
            reader.deserialize(raw, c.msgtype).twist.linear.x
            for c, _, raw in reader.messages(connections=conns)
        ]
        assert len(speeds) > 100 and max(speeds) > 0.2
    assert list((run_dir / "recording").glob("*.mcap"))
    logs = "".join(f.read_text() for f in (run_dir / "logs").glob("*.log")) + r.stdout + r.stderr
    assert "incompatible QoS" not in logs


SHORT_RUN = (ROOT / "ros2_ws/src/genba_sim/genba_sim/scenarios/short_run.yaml").read_text()
BAD_FILES = {  # what a hostile or careless scenario file can hold
    "malformed": b"map: factory_hall\nstart: {x: 1\n",
    "binary": bytes(range(256)) * 8,
    "latin1": SHORT_RUN.replace("name: short_run", "name: caf\xe9").encode("latin-1"),
    "deep": b"a: " + b"[" * 20000,
    "duplicate": (SHORT_RUN + "seed: 2\n").encode(),
    "misspelt": SHORT_RUN.replace("time_limit_s", "time_limt_s").encode(),
    "mjcf_name": SHORT_RUN.replace("name: short_run", 'name: \'x"<geom\'').encode(),
    "escaping_name": SHORT_RUN.replace("name: short_run", "name: ../../../tmp/escape").encode(),
    "nul_name": SHORT_RUN.replace("name: short_run", 'name: "a\\0b"').encode(),
    "long_name": SHORT_RUN.replace("name: short_run", "name: " + "a" * 5000).encode(),
    "crowd": (SHORT_RUN.split("pedestrians:")[0] + "pedestrians:\n"
              + "  - {path: [[-5, -1], [-5, 1]]}\n" * 5000).encode(),
    "start_in_pallet": SHORT_RUN.replace("start: {x: -7.0, y: -0.8", "start: {x: -5.0, y: -1.8").encode(),
    "alias_bomb": b"a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
}


@pytest.mark.parametrize(
    "args, env, needle",
    [
        (["--scenario", "no_such_place"], {}, "unknown scenario 'no_such_place'"),
        (["--scenario", "{malformed}"], {}, "malformed YAML"),
        (["--scenario", "{binary}"], {}, "is a binary file"),
        (["--scenario", "{latin1}"], {}, "is not UTF-8 text"),
        (["--scenario", "{deep}"], {}, "nested too deeply"),
        (["--scenario", "{duplicate}"], {}, "key 'seed' given twice"),
        (["--scenario", "{misspelt}"], {}, "unknown key 'time_limt_s' (did you mean 'time_limit_s'?)"),
        (["--scenario", "{mjcf_name}"], {}, "is not an identifier"),
        (["--scenario", "{escaping_name}"], {}, "is not an identifier"),
        (["--scenario", "{nul_name}"], {}, "is not an identifier"),
        (["--scenario", "{long_name}"], {}, "is not an identifier"),
        (["--scenario", "{crowd}"], {}, "5000 entries, at most 64"),
        (["--scenario", "{start_in_pallet}"], {}, "field 'start': (-5.0, -1.8) is not free"),
        (["--scenario", "{alias_bomb}"], {}, "anchors and aliases are not allowed"),
        (["--scenario", "a\x01<b"], {}, "unknown scenario"),
        (["--startup-timeout-s", "nan"], {}, "--startup-timeout-s: nan is not in [1, 3600]"),
        (["--view-port", "70000"], {}, "--view-port: 70000 is not in [0, 65535]"),
        (["--out", "{file}"], {}, "exists and is not a folder"),
        (["--out", "/proc/genba_cannot_be_here"], {}, "cannot write there"),
        ([], {"MUJOCO_GL": "osmesa"}, "could not load its OpenGL backend"),
        ([], {"__EGL_VENDOR_LIBRARY_FILENAMES": "/nonexistent/egl.json"}, "offscreen rendering unavailable"),
    ],
)
def test_bad_input_is_one_line_no_traceback(tmp_path, args, env, needle):
    for i, a in enumerate(args):
        if a.startswith("{") and a.strip("{}") in BAD_FILES:
            bad = tmp_path / f"{a.strip('{}')}.yaml"
            bad.write_bytes(BAD_FILES[a.strip("{}")])
            args[i] = str(bad)
        elif a == "{file}":
            (tmp_path / "a_file").write_text("")
            args[i] = str(tmp_path / "a_file")
    out = [] if "--out" in args else ["--out", str(tmp_path / "out")]
    r = genba("run", *args, *out, env_extra=env, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and ": error: " in lines[0] and needle in lines[0], r.stderr
    assert not (ROOT / "tmp" / "escape").exists(), "a run folder was made outside runs/"
    assert not (tmp_path / "out").exists(), "bad input left a run folder behind"


@pytest.mark.slow
def test_the_distilled_student_drives_the_stack(tmp_path, deployed_model):
    """`genba run --policy onnx`: the approved student (models/manifest.yaml) drives through the
    supervisor, routing on the sim's /map; without its commands the supervisor would stay in
    FALLBACK (its own controller) or MRM."""
    run_dir = tmp_path / "run"
    r = genba("run", "--scenario", "short_run", "--policy", "onnx", "--out", str(run_dir))
    policy_log = (run_dir / "logs" / "policy.log").read_text()
    assert f"{deployed_model.name} runs on cpu" in policy_log and "routing on it" in policy_log, policy_log
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["node_failure"] is None, r.stdout[-2000:] + r.stderr[-2000:]
    assert summary["episode"]["collisions"] == 0
    assert summary["latency"]["policy"]["n"] > 20
    assert summary["recorded_messages"].get("/policy/route", 0) >= 1  # the student's route, as planned
    assert any(mode == "NOMINAL" for _, mode in summary["mode_log"]), summary["mode_log"]


def start_run(run_dir: Path) -> subprocess.Popen:
    """`genba run` on the long demo scenario, returned once its episode is under way."""
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "genba_bringup.cli", "run", "--scenario", "hall_crossing", "--no-camera",
         "--out", str(run_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(), cwd=ROOT,
    )
    sim_log = run_dir / "logs" / "sim.log"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and "episode started" not in (
        sim_log.read_text() if sim_log.exists() else ""
    ):
        time.sleep(0.2)
    time.sleep(4.0)  # the robot is on its way
    return proc


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_stops_the_stack_in_order_and_still_writes_the_summary(tmp_path, sig, code):
    import signal

    run_dir = tmp_path / "run"
    proc = start_run(run_dir)
    proc.send_signal(getattr(signal, sig))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, (out[-2000:], err[-2000:])
    assert "Traceback" not in out + err and "stopping the stack (robot to zero first)" in out
    assert [ln for ln in err.splitlines() if ln.strip()] == [f"genba: stopped by {sig}; summary written"], err
    summary = json.loads((run_dir / "summary.json").read_text())
    ep = summary["episode"]
    assert summary["interrupted_by"] == sig and ep["status"] == "interrupted" and ep["collisions"] == 0
    assert ep["path_length_m"] > 0.1 and ep["sim_time_s"] > 3.0  # the episode as far as it went (it moved)
    assert summary["mode_log"][-1][1] == "ESTOP"  # the robot was stopped first
    assert (run_dir / "trajectory.png").stat().st_size > 1000 and list((run_dir / "recording").glob("*.mcap"))
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(run_dir) not in ps, [ln for ln in ps.splitlines() if str(run_dir) in ln]  # no orphan node


@pytest.mark.slow
def test_when_a_node_dies_the_summary_names_it_and_still_reports_the_episode(tmp_path):
    import signal

    run_dir = tmp_path / "run"
    proc = start_run(run_dir)
    ps = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
    policy = [ln.split()[0] for ln in ps.splitlines()
              if "genba_policy.node" in ln and ln.split()[1] == str(proc.pid)]
    assert len(policy) == 1, ps
    os.kill(int(policy[0]), signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3 and "Traceback" not in out + err, (out[-2000:], err[-2000:])
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["node_failure"].startswith("node 'policy' exited with code -9")
    ep = summary["episode"]
    assert ep["status"] == "interrupted" and ep["collisions"] == 0 and ep["path_length_m"] > 0.1
