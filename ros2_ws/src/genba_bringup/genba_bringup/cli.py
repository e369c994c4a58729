"""``genba``: run the whole stack on the embedded MuJoCo world, without ``ros2 launch``.

    genba run [--scenario NAME|FILE] [--out DIR] [--no-camera]
    genba scenarios

Every node runs as its own process, exactly as ``ros2 launch`` would start it from the same
stack description (config/stack.yaml); this process adds a monitor node that records the run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from genba_common.errors import ConfigError

EXIT_OK, EXIT_EPISODE_FAILED, EXIT_BAD_INPUT, EXIT_NODE_DIED = 0, 1, 2, 3


class CliError(ConfigError):
    """One-line user-facing error; exit code EXIT_BAD_INPUT."""


def genba_root() -> Path:
    """Repository root (holds calibration/): $GENBA_ROOT, else found above the installed package."""
    if os.environ.get("GENBA_ROOT"):
        return Path(os.environ["GENBA_ROOT"]).resolve()
    from genba_common.packages import package_dir

    for base in (package_dir("genba_bringup"), Path.cwd()):
        for p in (base, *base.parents):
            if (p / "calibration").is_dir() and (p / "ros2_ws").is_dir():
                return p
    return Path.cwd()


def check_rendering() -> None:
    """Fail early, in one line, when offscreen OpenGL (EGL) is not usable."""
    from genba_sim.simulation import import_mujoco

    mujoco = import_mujoco()
    try:
        model = mujoco.MjModel.from_xml_string(
            '<mujoco><visual><quality shadowsize="0" offsamples="0"/></visual>'
            '<worldbody><geom type="sphere" size="1"/></worldbody></mujoco>')
        r = mujoco.Renderer(model, 8, 8)
        r.close()
    except Exception as exc:
        raise ConfigError(f"offscreen rendering unavailable (MUJOCO_GL={os.environ.get('MUJOCO_GL')}): "
                          f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}; install libegl1 "
                          f"libgl1-mesa-dri, or pass --no-camera") from None


def ros_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ROS_DOMAIN_ID", str(random.SystemRandom().randint(20, 200)))
    env.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")  # never leave the machine
    env.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")
    env.setdefault("MUJOCO_GL", "egl")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _last_line(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    for ln in reversed(lines):
        if "error" in ln.lower() or "Error" in ln:
            return ln.strip()
    return lines[-1].strip() if lines else ""


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the stack as Ctrl-C does: nodes down, summary written


def run(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    from genba_bringup.data_policy import load_data_policy
    from genba_bringup.html_report import write_report
    from genba_bringup.report import format_summary, plot_run
    from genba_bringup.stack import default_stack_path, load_stack
    from genba_bringup.stats import percentiles
    from genba_perception.camera_info import load_camera_info
    from genba_sim import scenario as scenario_mod

    root = genba_root()
    if args.no_camera:
        os.environ["MUJOCO_GL"] = "disable"  # MuJoCo then loads no OpenGL at all
    sc = scenario_mod.load(args.scenario)
    load_camera_info(str(root / "calibration" / "sim_front_camera.yaml"))
    if not args.no_camera:
        check_rendering()

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir = Path(args.out).resolve() if args.out else root / "runs" / f"{stamp}-{sc.name}"
    if run_dir.exists() and any(run_dir.iterdir()):
        raise CliError(f"run folder {run_dir} exists and is not empty")
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    port = f"/tmp/genba_ttyMOTOR_{os.getpid()}"
    variables = {
        "GENBA_ROOT": str(root),
        "RUN_DIR": str(run_dir),
        "SCENARIO": sc.path,
        "CONTROLLER_PORT": port,
    }
    stack = load_stack(args.stack or default_stack_path(), variables)
    data_policy = load_data_policy(args.data_policy or default_stack_path().with_name("data_policy.yaml"))
    for topic in stack.record:
        if not data_policy.may_record(topic):
            cls = data_policy.classify(topic)
            print(f"genba: not recording {topic}: data class '{cls}' ({data_policy.path})")

    policy_backend = args.policy
    if args.no_camera and policy_backend != "placeholder":
        policy_backend = "placeholder"  # the student needs its camera
        print(
            "genba: --no-camera: the policy node runs the placeholder "
            "(the distilled student needs the camera)"
        )
    env = ros_environment()
    os.environ.update(
        {k: env[k] for k in ("ROS_DOMAIN_ID", "ROS_AUTOMATIC_DISCOVERY_RANGE", "RMW_IMPLEMENTATION")}
    )
    print(
        f"genba: scenario '{sc.name}' (seed {sc.seed}), {len(stack.nodes)} nodes, "
        f"ROS_DOMAIN_ID={env['ROS_DOMAIN_ID']}"
    )
    print(f"genba: run folder {run_dir}")
    procs: dict[str, subprocess.Popen] = {}
    for spec in stack.nodes:
        extra = ["-p", "camera_enabled:=false"] if (args.no_camera and spec.name == "sim") else []
        if spec.name == "policy" and policy_backend:
            extra = ["-p", f"backend:={policy_backend}"]
        log = open(run_dir / "logs" / f"{spec.name}.log", "w")
        procs[spec.name] = subprocess.Popen(
            [sys.executable, "-m", spec.module, *spec.ros_args(), *extra],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        log.close()

    import rclpy

    from genba_bringup.monitor import McapRecorder, MonitorNode
    from genba_bringup.robot_description import sim_robot_urdf

    rclpy.init()
    recorder = McapRecorder(run_dir / "recording", data_policy)
    view = None
    if args.view:
        from genba_bringup.live_view import LiveView

        try:
            view = LiveView(data_policy, recorder.typestore, args.view_host, args.view_port)
        except Exception as exc:  # the port is taken, the address is not this machine's, ...
            recorder.close()
            raise CliError(f"--view: cannot serve on {args.view_host}:{args.view_port}: {exc}") from None
        print(f"genba: live view on ws://{args.view_host}:{view.port} (Foxglove: Open connection, "
              f"Foxglove WebSocket; layout {root / 'ros2_ws/src/genba_bringup/foxglove/genba.json'})")
    mon = MonitorNode(stack.record, stack.latency_stages, recorder, sim_robot_urdf(root), view)
    deadline = time.monotonic() + sc.time_limit_s + args.startup_timeout_s
    died: str | None = None
    interrupted = False
    last_print = 0.0
    t0 = time.monotonic()
    try:
        while mon.episode is None and time.monotonic() < deadline:
            rclpy.spin_once(mon, timeout_sec=0.05)
            for name, p in procs.items():
                if p.poll() is not None:
                    died = (
                        f"node '{name}' exited with code {p.returncode}: "
                        f"{_last_line(run_dir / 'logs' / f'{name}.log')}"
                    )
            if died:
                break
            if time.monotonic() - last_print >= 2.0:
                last_print = time.monotonic()
                if mon.pose:
                    dist = ((mon.pose[0] - sc.goal.x) ** 2 + (mon.pose[1] - sc.goal.y) ** 2) ** 0.5
                    print(
                        f"[{mon.sim_time:6.1f} s sim | {last_print - t0:5.1f} s wall] "
                        f"pose ({mon.pose[0]:6.2f}, "
                        f"{mon.pose[1]:6.2f})  to goal {dist:5.2f} m  mode {mon.mode}",
                        flush=True,
                    )
                else:
                    print(f"[{last_print - t0:5.1f} s wall] waiting for the stack to come up...", flush=True)
        # let the last messages in (latched episode, final diagnostics)
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            rclpy.spin_once(mon, timeout_sec=0.05)
    except KeyboardInterrupt:
        interrupted = True
        print("genba: interrupted, stopping the stack")
    finally:
        for p in procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGINT)
        stop_by = time.monotonic() + 8.0
        for p in procs.values():
            try:
                p.wait(timeout=max(0.1, stop_by - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        recorder.close()
        if view is not None:
            view.close()
        mon.destroy_node()
        rclpy.try_shutdown()

    episode_path = run_dir / "episode.json"
    episode = json.loads(episode_path.read_text()) if episode_path.exists() else (mon.episode or {})
    trajectory = episode.pop("trajectory", [])
    summary = {
        "episode": episode or None,
        "safety_interventions": mon.interventions,
        "mode_log": mon.mode_log,
        "latency": {stage: percentiles(v) for stage, v in mon.latency.items()},
        "recorded_messages": recorder.counts,
        "refused_by_data_policy": recorder.refused,
        "node_failure": died,
        "run_dir": str(run_dir),
    }
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    plot_run(run_dir / "trajectory.png", sc, trajectory, mon.mode_log)
    report = write_report(run_dir, summary, mon.latency)
    print("\n== genba run summary ==")
    print(format_summary(summary))
    print(f"recording       {run_dir / 'recording'} (MCAP, {sum(recorder.counts.values())} messages)")
    print(f"plot            {run_dir / 'trajectory.png'}")
    print(f"report          {report}")
    if died:
        print(f"genba: error: {died}", file=sys.stderr)
        return EXIT_NODE_DIED
    if interrupted:
        return EXIT_EPISODE_FAILED
    if not episode:
        print("genba: error: no episode result (timed out waiting for the simulator)", file=sys.stderr)
        return EXIT_EPISODE_FAILED
    ok = episode.get("status") == "goal_reached" and episode.get("collisions", 1) == 0
    return EXIT_OK if ok else EXIT_EPISODE_FAILED


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="genba", description="genba: on-device robot AI that stays safe")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run the whole stack on the embedded MuJoCo world")
    r.add_argument(
        "--scenario", default="hall_crossing", help="scenario name or YAML path (see `genba scenarios`)"
    )
    r.add_argument("--out", help="run folder (default: runs/<time>-<scenario>)")
    r.add_argument("--stack", help="stack description YAML (default: genba_bringup config/stack.yaml)")
    r.add_argument(
        "--data-policy", help="topic data classes YAML (default: genba_bringup config/data_policy.yaml)"
    )
    r.add_argument("--no-camera", action="store_true", help="do not render the camera (no OpenGL needed)")
    r.add_argument(
        "--policy",
        choices=["onnx", "placeholder"],
        help="policy backend (default: the stack's; onnx = the approved distilled student)",
    )
    r.add_argument("--startup-timeout-s", type=float, default=60.0, help="allowance for nodes to come up")
    r.add_argument("--view", action="store_true",
                   help="serve a live Foxglove view of the run (WebSocket; what the data policy lets stream)")
    r.add_argument("--view-host", default="127.0.0.1",
                   help="address of the live view (default 127.0.0.1; elsewhere only public topics stream)")
    r.add_argument("--view-port", type=int, default=8765, help="port of the live view (0: any free port)")
    sub.add_parser("scenarios", help="list the built-in scenarios")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "scenarios":
            from genba_sim.scenario import available

            print("\n".join(available()))
            sys.exit(EXIT_OK)
        sys.exit(run(args))
    except ConfigError as exc:  # bad input of any kind (CliError is one): one line, exit 2
        print(f"genba: error: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


if __name__ == "__main__":
    main()
