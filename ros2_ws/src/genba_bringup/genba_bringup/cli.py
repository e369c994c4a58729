"""``genba``: run the whole stack on the embedded MuJoCo world, without ``ros2 launch``.

    genba run [--scenario NAME|FILE] [--out DIR] [--no-camera]
    genba run --stack robot --emulate     the robot stack's drivers on devices emulated by the sim
    genba scenarios
    genba goal X Y [YAW] [--frame odom|map]

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

from genba_common.arguments import number_in
from genba_common.errors import ConfigError

EXIT_OK, EXIT_EPISODE_FAILED, EXIT_BAD_INPUT, EXIT_NODE_DIED = 0, 1, 2, 3
EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal, as a shell reports it
# The order nodes are stopped in: whatever commands the robot first, the simulator (which writes the
# episode as far as it went) last.
STOP_LAST = ("actuation_bridge", "sim")


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


DISCOVERY_RANGE = "LOCALHOST"  # ROS_AUTOMATIC_DISCOVERY_RANGE unless the shell says otherwise


def ros_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ROS_DOMAIN_ID", str(random.SystemRandom().randint(20, 200)))
    env.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", DISCOVERY_RANGE)  # never leave the machine
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


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM: the stack is stopped in order and the run's summary is still written."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _Signals:
    """Where a Ctrl-C or SIGTERM goes. While the monitor spins (rclpy's C++ calling back into Python),
    an exception raised by the handler could surface as a pybind11 conversion error instead of
    :class:`Interrupted`: there the signal is noted and the spin loop raises it between calls."""

    deferred = False
    seen: int | None = None

    @classmethod
    def check(cls) -> None:
        if cls.seen is not None:
            raise Interrupted(cls.seen)


def _interrupt(signum, frame) -> None:
    if _Signals.deferred:
        _Signals.seen = signum
        return
    raise Interrupted(signum)


def _hold_signals() -> None:
    """While the stack stops and the summary is written, further Ctrl-C or SIGTERM wait."""
    for sig in EXIT_SIGNAL:
        signal.signal(sig, signal.SIG_IGN)


def run_folder(out: str | None, root: Path, name: str) -> Path:
    """The run folder, checked before anything starts (created by :func:`make_run_folder` once every
    input is known good): ``--out`` (a folder that is absent or empty, somewhere writable), else
    ``runs/<time>-<scenario>`` inside the repository's ``runs/``."""
    if out is not None:
        if "\0" in out or not out.strip():
            raise CliError(f"--out {out!r}: not a usable path")
        try:
            path = Path(out).expanduser().resolve()
        except (OSError, RuntimeError) as exc:
            raise CliError(f"--out {out}: {exc}") from None
        if path.exists() and not path.is_dir():
            raise CliError(f"--out {path}: exists and is not a folder")
    else:
        runs = (root / "runs").resolve()
        path = (runs / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{name}").resolve()
        if path.parent != runs:  # scenario names are identifiers; this is the belt to those braces
            raise CliError(f"run folder {path} would lie outside {runs}")
    try:
        if path.exists() and any(path.iterdir()):
            raise CliError(f"run folder {path} exists and is not empty")
    except OSError as exc:
        raise CliError(f"run folder {path}: {exc.strerror or exc}") from None
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not (existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)):
        raise CliError(f"run folder {path}: cannot write there ({existing} is not a writable folder)")
    return path


def make_run_folder(path: Path) -> None:
    """Create the run folder (and its logs/) checked by :func:`run_folder`."""
    try:
        (path / "logs").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"run folder {path}: cannot write there: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    for sig in EXIT_SIGNAL:
        signal.signal(sig, _interrupt)
    from genba_bringup.data_policy import load_data_policy
    from genba_bringup.html_report import write_report
    from genba_bringup.report import format_summary, plot_run
    from genba_bringup.stack import (
        DEVICE_ARGUMENTS,
        EMULATED_DEVICES,
        EMULATION_OVERRIDES,
        default_stack_path,
        device_overrides,
        load_stack,
        merged,
        stack_path,
        with_overrides,
    )
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

    run_dir = run_folder(args.out, root, sc.name)
    port = f"/tmp/genba_ttyMOTOR_{os.getpid()}"
    variables = {
        "GENBA_ROOT": str(root),
        "RUN_DIR": str(run_dir),
        "SCENARIO": sc.path,
        "CONTROLLER_PORT": port,
        "LIDAR_PORT": f"/tmp/genba_ttyLIDAR_{os.getpid()}",
        "CAMERA_DIR": str(run_dir / "camera_frames"),
        "FLEET_PORT": _free_tcp_port(),
    }
    devices = {arg: getattr(args, arg) for arg in DEVICE_ARGUMENTS}
    stack = load_stack(stack_path(args.stack), variables)
    names = {n.name for n in stack.nodes}
    if args.emulate:
        if "sim" in names:
            raise CliError(f"--emulate: {stack.path} has its own simulator; use --stack robot")
        given = [f"--{a.replace('_', '-')}" for a, v in devices.items() if v]
        if given:
            raise CliError(f"--emulate sets the devices itself: drop {', '.join(given)}")
        devices = {
            "lidar_port": variables["LIDAR_PORT"],
            "camera_source": variables["CAMERA_DIR"],
            "controller_port": port,
            "link_endpoint": f"tcp://127.0.0.1:{variables['FLEET_PORT']}",
        }
        stack = merged(stack, load_stack(default_stack_path().with_name(EMULATED_DEVICES), variables))
        stack = with_overrides(stack, EMULATION_OVERRIDES)
    elif "sim" not in names:
        raise CliError(f"{stack.path} has no simulator: add --emulate to run it on emulated devices "
                       "(on the robot itself, start it with ros2 launch)")
    stack = with_overrides(stack, device_overrides(devices))
    data_policy = load_data_policy(args.data_policy or default_stack_path().with_name("data_policy.yaml"))
    make_run_folder(run_dir)
    if args.emulate:
        (run_dir / "camera_frames").mkdir()  # before the camera driver opens it
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
    import rclpy
    from rclpy.signals import SignalHandlerOptions

    from genba_bringup.monitor import McapRecorder, MonitorNode
    from genba_bringup.robot_description import sim_robot_urdf
    from genba_common.entry import freeze_startup_heap

    # This process handles Ctrl-C and SIGTERM itself (an orderly stop), not rclpy.
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    recorder = McapRecorder(run_dir / "recording", data_policy)
    view = None
    mon = None
    died: str | None = None
    signum: int | None = None
    try:
        if args.view:
            from genba_bringup.live_view import LiveView

            try:
                view = LiveView(data_policy, recorder.typestore, args.view_host, args.view_port)
            except Exception as exc:  # the port is taken, the address is not this machine's, ...
                raise CliError(f"--view: cannot serve on {args.view_host}:{args.view_port}: {exc}") from None
            print(f"genba: live view on ws://{args.view_host}:{view.port} (Foxglove: Open connection, "
                  f"Foxglove WebSocket; layout {root / 'ros2_ws/src/genba_bringup/foxglove/genba.json'})")
        mon = MonitorNode(stack.record, stack.latency_stages, recorder, sim_robot_urdf(root), view)
        rclpy.get_global_executor().add_node(mon)  # once: spin_once would add and remove it on every call
        freeze_startup_heap()
        for spec in stack.nodes:
            extra = ["-p", "camera_enabled:=false"] if (args.no_camera and spec.name == "sim") else []
            if spec.name == "policy" and policy_backend:
                extra = ["-p", f"backend:={policy_backend}"]
            with open(run_dir / "logs" / f"{spec.name}.log", "w") as log:
                procs[spec.name] = subprocess.Popen(
                    [sys.executable, "-m", spec.module, *spec.ros_args(), *extra],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                )
        deadline = time.monotonic() + sc.time_limit_s + args.startup_timeout_s
        goal = (sc.goal.x, sc.goal.y) if args.emulate else None  # sent in map, as a fleet manager sends one
        died = _supervise(mon, procs, sc, run_dir, deadline, goal)
    except Interrupted as exc:
        signum = exc.signum
        print(f"genba: {exc} received, stopping the stack (robot to zero first)", flush=True)
    finally:
        _hold_signals()
        _stop_stack(procs, mon)
        recorder.close()
        if view is not None:
            view.close()
        if mon is not None:
            mon.destroy_node()
        rclpy.try_shutdown()

    episode_path = run_dir / "episode.json"
    try:
        episode = json.loads(episode_path.read_text()) if episode_path.exists() else None
    except (OSError, ValueError):
        episode = None
    episode = episode or (dict(mon.episode) if mon is not None and mon.episode else {})
    trajectory = episode.pop("trajectory", [])
    summary = {
        "episode": episode or None,
        "safety_interventions": mon.interventions if mon else 0,
        "mode_log": mon.mode_log if mon else [],
        "latency": {stage: percentiles(v) for stage, v in (mon.latency.items() if mon else ())},
        "recorded_messages": recorder.counts,
        "refused_by_data_policy": recorder.refused,
        "node_failure": died,
        "interrupted_by": signal.Signals(signum).name if signum else None,
        "run_dir": str(run_dir),
    }
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    plot_run(run_dir / "trajectory.png", sc, trajectory, summary["mode_log"])
    report = write_report(run_dir, summary, mon.latency if mon else {})
    print("\n== genba run summary ==")
    print(format_summary(summary))
    print(f"recording       {run_dir / 'recording'} (MCAP, {sum(recorder.counts.values())} messages)")
    print(f"plot            {run_dir / 'trajectory.png'}")
    print(f"report          {report}")
    if signum:
        print(f"genba: stopped by {signal.Signals(signum).name}; summary written", file=sys.stderr)
        return EXIT_SIGNAL[signum]
    if died:
        print(f"genba: error: {died}", file=sys.stderr)
        return EXIT_NODE_DIED
    if not episode:
        print("genba: error: no episode result (timed out waiting for the simulator)", file=sys.stderr)
        return EXIT_EPISODE_FAILED
    ok = episode.get("status") == "goal_reached" and episode.get("collisions", 1) == 0
    return EXIT_OK if ok else EXIT_EPISODE_FAILED


def _supervise(
    mon, procs: dict[str, subprocess.Popen], sc, run_dir: Path, deadline: float, goal=None
) -> str | None:
    """Spin the monitor until the episode ends, the deadline passes or a node dies (named in the
    returned line); ``goal`` (x, y in map), when given, is sent to the stack. A signal is raised as
    :class:`Interrupted` between spins."""
    _Signals.deferred = True
    try:
        return _spin_until_done(mon, procs, sc, run_dir, deadline, goal)
    finally:
        _Signals.deferred = False


def _spin_until_done(
    mon, procs: dict[str, subprocess.Popen], sc, run_dir: Path, deadline: float, goal=None
) -> str | None:
    """The loop of :func:`_supervise`: the line naming a node that died, or None."""
    import rclpy

    last_print = last_poll = 0.0
    t0 = time.monotonic()
    goal_taken = goal is None
    while mon.episode is None and time.monotonic() < deadline:
        rclpy.spin_once(mon, timeout_sec=0.05)
        _Signals.check()
        if not goal_taken and mon.offer_goal(goal[0], goal[1], "map"):
            goal_taken = True
            print(f"genba: goal ({goal[0]:.2f}, {goal[1]:.2f}) in map taken by the policy", flush=True)
        if time.monotonic() - last_poll < 0.2:
            continue  # a node's exit is noticed within 0.2 s; polling on every message costs the chain CPU
        last_poll = time.monotonic()
        for name, p in procs.items():
            if p.poll() is not None:
                return (f"node '{name}' exited with code {p.returncode}: "
                        f"{_last_line(run_dir / 'logs' / f'{name}.log')}")
        if time.monotonic() - last_print >= 2.0:
            last_print = time.monotonic()
            if mon.pose:
                dist = ((mon.pose[0] - sc.goal.x) ** 2 + (mon.pose[1] - sc.goal.y) ** 2) ** 0.5
                print(
                    f"[{mon.sim_time:6.1f} s sim | {last_print - t0:5.1f} s wall] "
                    f"pose ({mon.pose[0]:6.2f}, {mon.pose[1]:6.2f})  to goal {dist:5.2f} m  mode {mon.mode}",
                    flush=True,
                )
            else:
                print(f"[{last_print - t0:5.1f} s wall] waiting for the stack to come up...", flush=True)
    end = time.monotonic() + 0.3  # let the last messages in (latched episode, final diagnostics)
    while time.monotonic() < end:
        rclpy.spin_once(mon, timeout_sec=0.05)
        _Signals.check()
    return None


def _stop_stack(procs: dict[str, subprocess.Popen], mon) -> None:
    """Robot to zero first (an e-stop the supervisor and the bridge act on), then every node with
    SIGINT: the ones that command the robot, then the bridge, then the simulator, which writes the
    episode as far as it went. A node that does not stop within its grace is killed."""
    import rclpy

    if mon is not None and mon.episode is None and rclpy.ok():
        try:
            mon.stop_robot()
            # until the supervisor says ESTOP (a loaded machine takes longer), at most 3 s
            end = time.monotonic() + 3.0
            while mon.mode != "ESTOP" and time.monotonic() < end:
                rclpy.spin_once(mon, timeout_sec=0.05)
        except Exception:  # the context is already gone: the nodes' own stops still apply
            pass
    groups = [[n for n in procs if n not in STOP_LAST], *([n] for n in STOP_LAST if n in procs)]
    for group in groups:
        for name in group:
            if procs[name].poll() is None:
                os.killpg(procs[name].pid, signal.SIGINT)
        stop_by = time.monotonic() + 8.0
        for name in group:
            p = procs[name]
            try:
                p.wait(timeout=max(0.1, stop_by - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def _free_tcp_port() -> int:
    """A TCP port free on 127.0.0.1 now (for the emulated fleet server)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line on stderr, exit 2, like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def bench(args: argparse.Namespace) -> int:
    """`genba bench`: the suite, then results.json and results.md (and the table printed)."""
    import tempfile

    from genba_bringup import bench as b

    root = Path(os.environ.get("GENBA_ROOT", Path.cwd()))
    if not (root / "tests" / "benchmarks").is_dir():
        raise CliError(f"no benchmarks under {root / 'tests/benchmarks'} (run it in a genba checkout)")
    previous: list[dict] = []
    if args.compare:
        try:
            previous = json.loads(Path(args.compare).read_text())["figures"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CliError(f"--compare {args.compare}: not a genba bench results file ({exc})") from None
    out_dir = Path(args.out_dir) if args.out_dir else root / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        rows_path = Path(tmp) / "rows.jsonl"
        files = b.SUITE + (b.LONG if args.all else ())
        code = b.run_suite(root, files, rows_path, ["-k", args.select] if args.select else [])
        rows = b.load_rows(rows_path)
    command = "genba bench" + (" --all" if args.all else "") + (f" -k '{args.select}'" if args.select else "")
    res = b.results(rows, command, args.compare, previous)
    (out_dir / "results.json").write_text(json.dumps(res, indent=1) + "\n")
    table = b.markdown(res)
    (out_dir / "results.md").write_text(table)
    print("\n" + table + f"\nwritten: {out_dir / 'results.json'}, {out_dir / 'results.md'}")
    if code != 0:
        print(f"genba bench: a benchmark did not complete (pytest exit {code})", file=sys.stderr)
        return EXIT_EPISODE_FAILED
    if not rows:
        print("genba bench: no figures were measured", file=sys.stderr)
        return EXIT_EPISODE_FAILED
    return EXIT_EPISODE_FAILED if any(c["regression"] for c in res["comparison"].values()) else EXIT_OK


def mutate(args: argparse.Namespace) -> int:
    """`genba mutate`: mutation testing of the safety and protocol cores (tests/mutation/)."""
    from genba_bringup.mutate import mutate as run_mutation

    root = genba_root()
    if not (root / "tests" / "mutation").is_dir():
        raise CliError(f"no mutation configuration under {root / 'tests/mutation'} "
                       "(run it in a genba checkout)")
    return run_mutation(root, config=Path(args.config) if args.config else None,
                        dest=Path(args.stage) if args.stage else None, changed=args.changed,
                        modules=tuple(args.module or ()), max_mutants=args.max_mutants,
                        survivors=args.survivors)


def main(argv: list[str] | None = None) -> None:
    ap = _Parser(prog="genba", description="genba: on-device robot AI that stays safe")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run the whole stack on the embedded MuJoCo world")
    r.add_argument(
        "--scenario", default="hall_crossing", help="scenario name or YAML path (see `genba scenarios`)"
    )
    r.add_argument("--out", help="run folder (default: runs/<time>-<scenario>)")
    r.add_argument("--stack", help="sim (default), robot, or a stack description YAML")
    r.add_argument("--emulate", action="store_true",
                   help="the simulator as the robot's devices (an LD06 pty, a camera folder, the motor "
                   "controller's pty, a fleet TCP port): the robot stack's own drivers run on them")
    from genba_bringup.stack import DEVICE_ARGUMENTS

    for arg, dev in DEVICE_ARGUMENTS.items():
        r.add_argument(f"--{arg.replace('_', '-')}", dest=arg, help=f"{dev.description} (robot stack)")
    r.add_argument(
        "--data-policy", help="topic data classes YAML (default: genba_bringup config/data_policy.yaml)"
    )
    r.add_argument("--no-camera", action="store_true", help="do not render the camera (no OpenGL needed)")
    r.add_argument(
        "--policy",
        choices=["onnx", "placeholder"],
        help="policy backend (default: the stack's; onnx = the approved distilled student)",
    )
    r.add_argument("--startup-timeout-s", type=number_in(1.0, 3600.0), default=60.0,
                   help="allowance for nodes to come up (1 to 3600 s)")
    r.add_argument("--view", action="store_true",
                   help="serve a live Foxglove view of the run (WebSocket; what the data policy lets stream)")
    r.add_argument("--view-host", default="127.0.0.1",
                   help="address of the live view (default 127.0.0.1; elsewhere only public topics stream)")
    r.add_argument("--view-port", type=number_in(0, 65535, int), default=8765,
                   help="port of the live view (0: any free port)")
    sub.add_parser("scenarios", help="list the built-in scenarios")
    g = sub.add_parser("goal", help="send the running stack a goal, as rviz's 2D Goal Pose does")
    g.add_argument("x", type=number_in(-1e4, 1e4), help="goal x (m)")
    g.add_argument("y", type=number_in(-1e4, 1e4), help="goal y (m)")
    g.add_argument("yaw", type=number_in(-10.0, 10.0), nargs="?", default=0.0, help="heading (rad)")
    g.add_argument("--frame", choices=["odom", "map"], default="odom", help="frame of x, y (default odom)")
    g.add_argument("--timeout-s", type=number_in(0.1, 600.0), default=10.0,
                   help="how long to wait for the stack's subscribers (s)")
    b = sub.add_parser("bench", help="run the benchmark suite: bench/results.json and a Markdown table")
    b.add_argument("--out-dir", default=None, help="where results.json and results.md go (default: bench/ "
                   "in the repository)")
    b.add_argument("--compare", default=None, metavar="RESULTS_JSON",
                   help="a previous results.json: ratios per figure, regressions over 20%% flagged (exit 1)")
    b.add_argument("--all", action="store_true", help="also the long benchmarks (privacy detectors, "
                   "hostile sequences: about 15 minutes more)")
    b.add_argument("-k", dest="select", default=None,
                   help="only the benchmarks matching this pytest -k expression")
    m = sub.add_parser("mutate", help="mutation testing of the safety and protocol cores (mutmut): "
                       "build/mutation/report.md")
    m.add_argument("--changed", nargs="?", const="", default=None, metavar="COMMIT",
                   help="only mutants on lines changed since COMMIT (default: the last full run's, "
                   "tests/mutation/full_run.yaml), a fixed sample of them; any survivor fails")
    m.add_argument("--module", action="append", metavar="NAME",
                   help="only this module (e.g. zones or genba_safety.zones); repeatable")
    m.add_argument("--max-mutants", type=number_in(1, 100000, int), default=None,
                   help="--changed: run at most this many, a fixed sample (default: the configuration's)")
    m.add_argument("--survivors", action="store_true",
                   help="run again only the last run's survivors (after adding tests)")
    m.add_argument("--config", default=None,
                   help="mutation configuration (default tests/mutation/config.yaml)")
    m.add_argument("--stage", default=None, help="staging folder (default build/mutation)")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "bench":
            sys.exit(bench(args))
        if args.cmd == "mutate":
            sys.exit(mutate(args))
        if args.cmd == "goal":
            from genba_bringup.goal import send_goal

            os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", DISCOVERY_RANGE)  # as the stack's nodes
            send_goal(args.x, args.y, args.yaw, args.frame, args.timeout_s)
            sys.exit(EXIT_OK)
        if args.cmd == "scenarios":
            from genba_sim.scenario import available

            print("\n".join(available()))
            sys.exit(EXIT_OK)
        sys.exit(run(args))
    except ConfigError as exc:  # bad input of any kind (CliError is one): one line, exit 2
        print(f"genba: error: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    except Interrupted as exc:  # before the stack started: nothing to stop, nothing to summarise
        print(f"genba: {exc} received before the stack started", file=sys.stderr)
        sys.exit(EXIT_SIGNAL[exc.signum])
    except KeyboardInterrupt:
        print("genba: interrupted before the stack started", file=sys.stderr)
        sys.exit(EXIT_SIGNAL[signal.SIGINT])


if __name__ == "__main__":
    main()
