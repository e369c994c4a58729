"""``genba-policy eval``: closed-loop success rate over seeded scenarios."""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from genba_common.arguments import number_in
from genba_training.evaluation import (
    HELD_OUT_SEEDS,
    LAYOUTS,
    evaluate_parallel,
    load_driver,
    outcome_report,
    outcome_table,
)
from genba_training.teacher import PerceptionNoise


def parse_seeds(text: str) -> range:
    try:
        a, b = (int(v) for v in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must look like 9000:9020, got '{text}'") from None
    if b <= a:
        raise argparse.ArgumentTypeError("seed range is empty")
    return range(a, b)


def parse_noise(text: str) -> PerceptionNoise:
    try:
        v, p = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"perception noise must look like 0.2,0.1 (m/s, m), got '{text}'") from None
    if not (v >= 0 and p >= 0):
        raise argparse.ArgumentTypeError("perception noise must be >= 0")
    return PerceptionNoise(v, p)


parse_share = number_in(0.0, 1.0, not_a_number="a share must be a number in [0, 1]",
                        out_of_range="a share must be in [0, 1]")
parse_lag = number_in(0.0, 10.0, not_a_number="perception lag must be seconds, like 0.5",
                      out_of_range="perception lag must be 0-10 s")


def add_parser(sub) -> None:
    ev = sub.add_parser("eval", help="closed-loop success rate over seeded scenarios")
    ev.add_argument("--policy", choices=["teacher", "torch", "onnx"], default="teacher")
    ev.add_argument(
        "--checkpoint", help="student.pt (torch) or .onnx file (onnx; default: the manifest's default)"
    )
    ev.add_argument("--manifest", default="models/manifest.yaml")
    ev.add_argument("--seeds", type=parse_seeds, default=HELD_OUT_SEEDS, help="A:B, default the held-out set")
    ev.add_argument(
        "--with-supervisor",
        action="store_true",
        help="gate every command through the safety supervisor core, as on the robot",
    )
    ev.add_argument(
        "--compare-supervisor",
        action="store_true",
        help="run every episode twice, the policy alone and behind the supervisor, and report supervisor "
        "harm (alone passes, supervised fails) and help (the other way round)",
    )
    ev.add_argument(
        "--layout",
        choices=[*LAYOUTS, "mixed"],
        default="factory_hall",
        help="site layout of the scenarios (mixed: one of the five by seed; the site layouts are never "
        "trained on; the people-aware supervisor is judged on --seeds 3000:3200 --layout mixed)",
    )
    ev.add_argument(
        "--aware-share",
        type=parse_share,
        default=0.0,
        metavar="F",
        help="share of the people who steer around the robot (the rest walk on whatever happens)",
    )
    ev.add_argument(
        "--lidar-faults",
        action="store_true",
        help="behind the supervisor: its scan gets range noise, 2%% dropped beams and 3 spurious returns",
    )
    ev.add_argument(
        "--workers", type=int, default=1, metavar="N",
        help="run the episodes in N processes (each loads the policy itself); results in seed order",
    )
    ev.add_argument(
        "--json", metavar="FILE", help="write per-episode records and totals as JSON ('-': stdout)"
    )
    ev.add_argument(
        "--plots", metavar="DIR", help="write a histogram of minimum separation and the worst trajectories"
    )
    ev.add_argument(
        "--perception-noise",
        type=parse_noise,
        metavar="V,P",
        help="teacher only: it acts on people's velocity and position with Gaussian errors of V m/s "
        "and P m, drawn afresh each step (how much its way with people rests on exact knowledge)",
    )
    ev.add_argument(
        "--perception-lag",
        type=parse_lag,
        default=0.0,
        metavar="S",
        help="teacher only: it acts on where people were S seconds ago (with --perception-noise: "
        "the errors on top)",
    )
    ev.add_argument(
        "--trace-failures",
        type=int,
        default=0,
        metavar="N",
        help="a student only: print each failed episode's last N steps (0.1 s each), its commands "
        "beside the teacher's in the same states and the nearest person (with "
        "--with-supervisor: what the student asked for, before the supervisor)",
    )


def _noise_text(n: PerceptionNoise | None) -> str:
    if not n:
        return ""
    parts = []
    if n.velocity_mps or n.position_m:
        parts.append(f"to {n.velocity_mps:g} m/s, {n.position_m:g} m")
    if n.lag_s:
        parts.append(f"{n.lag_s:g} s late")
    return f" (people known {', '.join(parts)})"


def run(args: argparse.Namespace) -> int:
    t0 = time.monotonic()
    if (args.perception_noise or args.perception_lag) and args.policy != "teacher":
        raise SystemExit(
            "genba-policy eval: error: --perception-noise and --perception-lag are for the teacher "
            "(the student has its own)"
        )
    noise = args.perception_noise
    if args.perception_lag:
        noise = dataclasses.replace(noise or PerceptionNoise(), lag_s=args.perception_lag)
    if args.trace_failures and args.policy == "teacher":
        raise SystemExit("genba-policy eval: error: --trace-failures compares a student with the teacher")
    if args.trace_failures < 0:
        raise SystemExit(
            f"genba-policy eval: error: --trace-failures must be >= 0, got {args.trace_failures}"
        )
    if args.lidar_faults and not (args.with_supervisor or args.compare_supervisor):
        raise SystemExit(
            "genba-policy eval: error: --lidar-faults is for the supervisor's input "
            "(add --with-supervisor or --compare-supervisor)"
        )
    for flag, value in (("--json", args.json), ("--plots", args.plots)):
        if value and value != "-":
            target = Path(value)
            folder = target if flag == "--plots" else target.parent
            if (flag == "--json" and target.is_dir()) or (folder.exists() and not folder.is_dir()):
                raise SystemExit(f"genba-policy eval: error: {flag} {value}: not a usable path")
            if flag == "--json" and not folder.is_dir():
                raise SystemExit(f"genba-policy eval: error: {flag} {value}: folder {folder} does not exist")
    checkpoint = args.checkpoint
    if args.policy == "onnx" and not checkpoint:
        checkpoint = str(default_model(args.manifest))
    if not 1 <= args.workers <= 64:
        raise SystemExit(f"genba-policy eval: error: --workers must be 1-64, got {args.workers}")
    driver = None if args.policy == "teacher" else (args.policy, checkpoint, args.manifest)
    if driver is not None:
        load_driver(*driver)  # a bad checkpoint or manifest fails here, in one line, before any run
    common = dict(
        noise=noise, layout=args.layout, aware_share=args.aware_share, trace_steps=args.trace_failures
    )
    runs: dict[str, list] = {}
    if args.compare_supervisor or not args.with_supervisor:
        runs["alone"] = evaluate_parallel(args.seeds, driver, args.workers, f"eval {args.policy}", **common)
    if args.compare_supervisor or args.with_supervisor:
        runs["supervised"] = evaluate_parallel(
            args.seeds, driver, args.workers, f"eval {args.policy} + supervisor", supervised=True,
            lidar_faults=args.lidar_faults, **common,
        )
    report = outcome_report(list(args.seeds), runs)
    label = f"{args.policy}{_noise_text(noise)}, {args.layout}" + (
        f", {args.aware_share:.0%} aware" if args.aware_share else ""
    )
    print("\n" + outcome_table(label, report, time.monotonic() - t0))
    if args.json:
        text = json.dumps(
            {
                "policy": args.policy,
                "layout": args.layout,
                "aware_share": args.aware_share,
                "lidar_faults": args.lidar_faults,
                **report,
            },
            indent=1,
        )
        if args.json == "-":
            print(text)
        else:
            write_text(args.json, text)
    if args.plots:
        from genba_training.outcome_plots import outcome_plots

        for path in outcome_plots(args.plots, runs, list(args.seeds), layout=args.layout,
                                  aware_share=args.aware_share):
            print(f"wrote {path}")
    return 0


def write_text(path: str, text: str) -> None:
    try:
        Path(path).write_text(text + "\n")
    except OSError as exc:
        raise SystemExit(f"genba-policy eval: error: cannot write --json {path}: {exc.strerror}") from None


def default_model(manifest: str):
    """The model the stack deploys: the manifest's ``default`` entry."""
    from genba_common.errors import ModelRejected
    from genba_common.manifest import default_model_path

    try:
        return default_model_path(manifest)
    except ModelRejected as exc:
        raise SystemExit(f"genba-policy eval: error: {exc}") from None
