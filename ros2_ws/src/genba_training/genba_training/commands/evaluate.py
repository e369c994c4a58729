"""``genba-policy eval``: closed-loop success rate over seeded scenarios."""

from __future__ import annotations

import argparse
import dataclasses
import time

from genba_training.episodes import collision_kinds
from genba_training.evaluation import HELD_OUT_SEEDS, collisions_text, evaluate, load_driver
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


def parse_lag(text: str) -> float:
    try:
        lag = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"perception lag must be seconds, like 0.5, got '{text}'") from None
    if not 0.0 <= lag <= 10.0:
        raise argparse.ArgumentTypeError(f"perception lag must be 0-10 s, got {text}")
    return lag


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
    checkpoint = args.checkpoint
    if args.policy == "onnx" and not checkpoint:
        checkpoint = str(default_model(args.manifest))
    drive = None if args.policy == "teacher" else load_driver(args.policy, checkpoint, args.manifest)
    results = evaluate(
        args.seeds,
        drive,
        f"eval {args.policy}",
        supervised=args.with_supervisor,
        noise=noise,
        trace_steps=args.trace_failures,
    )
    ok = sum(r.success for r in results)
    collided = {
        "collisions": sum(r.status == "collision" for r in results),
        "collisions_with": collision_kinds(results),
    }
    label = f"{args.policy}{' + supervisor' if args.with_supervisor else ''}{_noise_text(noise)}"
    print(
        "\n| policy | scenarios | success | collisions (with) | timeouts | wall s |\n"
        "|---|---|---|---|---|---|\n"
        f"| {label} | {len(results)} | {ok / len(results):.0%} | {collisions_text(collided)} | "
        f"{sum(r.status == 'timeout' for r in results)} | {time.monotonic() - t0:.0f} |"
    )
    return 0


def default_model(manifest: str):
    """The model the stack deploys: the manifest's ``default`` entry."""
    from genba_policy.runtime import ModelRejected, default_model_path

    try:
        return default_model_path(manifest)
    except ModelRejected as exc:
        raise SystemExit(f"genba-policy eval: error: {exc}") from None
