"""``genba-policy``: training-side commands.

    genba-policy distill --out build/policy --seed 0      # teacher data, BC, DAgger (progress printed)
    genba-policy export --checkpoint build/policy/student.pt --out models/genba_student_v1.onnx
    genba-policy eval --policy teacher|torch|onnx --seeds 9000:9020
"""

from __future__ import annotations

import argparse
import sys
import time

from genba_policy.training.episodes import EpisodeResult, run_episode
from genba_policy.training.scenarios import generate
from genba_policy.training.teacher import Teacher

HELD_OUT_SEEDS = range(9000, 9020)  # never used for data collection


def parse_seeds(text: str) -> range:
    try:
        a, b = (int(v) for v in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must look like 9000:9020, got '{text}'") from None
    if b <= a:
        raise argparse.ArgumentTypeError("seed range is empty")
    return range(a, b)


def evaluate_student(seeds: range, drive, progress=print) -> list[EpisodeResult]:
    import numpy as np

    from genba_policy.training.dataset import rollout

    results = []
    rng = np.random.default_rng(0)
    for k, seed in enumerate(seeds, 1):
        r = rollout(seed, drive, 0.0, rng)
        results.append(r)
        progress(f"[{k}/{len(seeds)}] seed {seed}: {r.status:<12} {r.time_s:5.1f} s  "
                 f"({sum(x.success for x in results)}/{k} successful)")
    return results


def evaluate_teacher(seeds: range, progress=print) -> list[EpisodeResult]:
    results = []
    for k, seed in enumerate(seeds, 1):
        sc = generate(seed)
        teacher = Teacher(sc)
        r = run_episode(sc, lambda sim: teacher.act(sim.pose(), sim.time))
        results.append(r)
        done = sum(x.success for x in results)
        progress(f"[{k}/{len(seeds)}] seed {seed}: {r.status:<12} {r.time_s:5.1f} s  "
                 f"min dist {r.min_distance_m:.2f} m  ({done}/{k} successful)")
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="genba-policy", description="genba policy training tools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ev = sub.add_parser("eval", help="closed-loop success rate over seeded scenarios")
    ev.add_argument("--policy", choices=["teacher", "torch", "onnx"], default="teacher")
    ev.add_argument("--checkpoint", help="student.pt (torch) or .onnx file (onnx)")
    ev.add_argument("--manifest", default="models/manifest.yaml")
    ev.add_argument("--seeds", type=parse_seeds, default=HELD_OUT_SEEDS, help="A:B, default the held-out set")
    di = sub.add_parser("distill", help="collect teacher data, behaviour cloning, DAgger")
    di.add_argument("--out", default="build/policy")
    di.add_argument("--seed", type=int, default=0)
    ex = sub.add_parser("export", help="ONNX export with metadata, and approval in the manifest")
    ex.add_argument("--checkpoint", required=True)
    ex.add_argument("--out", required=True)
    ex.add_argument("--manifest", default="models/manifest.yaml")
    ex.add_argument("--metrics", help="JSON file of evaluation results to embed")
    args = ap.parse_args(argv)
    if args.cmd == "distill":
        from pathlib import Path

        from genba_policy.training.distill import distill
        distill(Path(args.out), args.seed)
        sys.exit(0)
    if args.cmd == "export":
        sys.exit(export_cmd(args))
    t0 = time.monotonic()
    if args.policy == "teacher":
        results = evaluate_teacher(args.seeds)
    else:
        results = evaluate_student(args.seeds, load_driver(args.policy, args.checkpoint, args.manifest))
    ok = sum(r.success for r in results)
    print(f"\n| policy | scenarios | success | collisions | timeouts | wall s |\n|---|---|---|---|---|---|\n"
          f"| {args.policy} | {len(results)} | {ok / len(results):.0%} | "
          f"{sum(r.status == 'collision' for r in results)} | {sum(r.status == 'timeout' for r in results)} | "
          f"{time.monotonic() - t0:.0f} |")
    sys.exit(0)


def load_driver(kind: str, checkpoint: str | None, manifest: str):
    if not checkpoint:
        raise SystemExit("genba-policy eval: error: --checkpoint is required for the student")
    if kind == "torch":
        import torch

        from genba_policy.training.distill import student_driver
        from genba_policy.training.student import Student
        torch.set_num_threads(1)
        m = Student()
        m.load_state_dict(torch.load(checkpoint))
        return student_driver(m.eval())
    from genba_policy.runtime import OnnxPolicy
    pol = OnnxPolicy(checkpoint, manifest, backend="cpu", log=lambda s: None)
    return lambda obs: pol.infer(obs)[:2]


def export_cmd(args) -> int:
    import json
    from pathlib import Path

    import torch

    from genba_policy.training.export import approve, export_onnx
    from genba_policy.training.student import Student, parameter_count
    m = Student()
    m.load_state_dict(torch.load(args.checkpoint))
    log_path = Path(args.checkpoint).with_name("training_log.json")
    log = json.loads(log_path.read_text()) if log_path.exists() else {}
    meta = {"dataset_sha256": log.get("dataset_sha256", "unknown"), "parameters": parameter_count(m),
            "training": {k: log.get(k) for k in ("seed", "samples", "train_seconds")}}
    if args.metrics:
        meta["eval_metrics"] = json.loads(Path(args.metrics).read_text())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(m, out, meta)
    digest = approve(out, Path(args.manifest), f"distilled student, dataset {meta['dataset_sha256'][:12]}")
    print(f"exported {out} ({out.stat().st_size} bytes, sha256 {digest[:16]}...) and approved it in {args.manifest}")
    return 0


if __name__ == "__main__":
    main()
