"""``genba-policy``: training-side commands.

    genba-policy collect --seeds 0:60 --out build/teacher.npz   # teacher-labelled episodes (optional)
    genba-policy distill --out build/policy --seed 0 [--teacher-data build/teacher.npz] [--fast]
        (teacher data, behaviour cloning, DAgger rounds, with progress bars; --fast: for experiments,
         about 1.8x quicker on 2 cores, a different model; genba_student_v7 is `--fast --seed 0`)
    genba-policy export --checkpoint build/policy/student.pt --out models/genba_student_v7.onnx
    genba-policy eval --policy teacher|torch|onnx --seeds 9000:9020 [--with-supervisor] [--trace-failures 12]
        [--perception-noise 0.2,0.1] [--perception-lag 0.5]   # teacher on noisy or late people
                                       # estimates: how much exact, timely knowledge it needs
    genba-policy release --checkpoint build/policy/student.pt --name genba_student_v7
        (evaluates teacher / torch / ONNX on the 120 unseen seeds recipes are chosen on and on 100
         seeds kept apart, which the issue's ratio is judged on; the ONNX student through the safety
         supervisor, OOD rates, latency; exports the ONNX
         with those metrics in its metadata, approves it in models/manifest.yaml, writes the model card)
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

from genba_policy.training.episodes import EpisodeResult, collision_kinds, run_episode
from genba_policy.training.scenarios import generate
from genba_policy.training.teacher import PerceptionNoise, Teacher

HELD_OUT_SEEDS = range(9000, 9020)  # never used for data collection
SECOND_UNSEEN_SEEDS = range(8000, 8040)  # never trained on either: 20 episodes alone are too few to judge by
FRESH_SEEDS = range(7000, 7060)  # never trained on; first evaluated after v4 was chosen (see its card)
# Never trained on, but every recipe so far was chosen by its success on them, which flatters the
# chosen one (v4: 80% on the first two, 63% on FRESH_SEEDS). Choose on these...
SELECTION_SEEDS = (HELD_OUT_SEEDS, SECOND_UNSEEN_SEEDS, FRESH_SEEDS)
# ...and judge on these: never trained on, never used to choose. The student/teacher ratio.
REPORT_SEEDS = range(5000, 5100)
EVAL_SEEDS = (*SELECTION_SEEDS, REPORT_SEEDS)


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
        raise argparse.ArgumentTypeError(f"perception noise must look like 0.2,0.1 (m/s, m), got '{text}'") from None
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


def evaluate(seeds, drive=None, label: str = "eval", supervised: bool = False,
             noise: PerceptionNoise | None = None, trace_steps: int = 0) -> list[EpisodeResult]:
    """Closed-loop episodes on ``seeds``: the teacher drives if ``drive`` is None (acting on people
    estimates with ``noise``, if given), else the student (``drive(obs) -> (v, w)``), alone, or with
    ``supervised`` through the safety supervisor core as on the robot (training/supervised.py). A
    progress bar per episode. ``trace_steps`` > 0 (a student only): each failed episode's last steps
    are printed beside what the teacher would have done (training/trace.py)."""
    from genba_policy.training.dataset import CAMERA, student_act
    from genba_policy.training.progress import Bar
    from genba_policy.training.supervised import run_supervised_episode
    from genba_policy.training.trace import Tracer, format_trace

    results = []
    stops = 0
    bar = Bar(label, len(seeds))
    for seed in seeds:
        sc = generate(seed)
        if drive is None:
            act, camera = (lambda sim, t=Teacher(sc, noise=noise): t.act(sim.pose(), sim.time)), None
        else:
            act, camera = student_act(sc, drive), CAMERA
            if trace_steps > 0:
                act = Tracer(sc, act, trace_steps)
        if supervised:
            r, n = run_supervised_episode(sc, act, camera=camera)
            stops += n
        else:
            r = run_episode(sc, act, camera=camera)
        results.append(r)
        if isinstance(act, Tracer) and not r.success:
            print(format_trace(r, list(act.steps)), flush=True)
        extra = f", {stops} supervisor stops" if supervised else ""
        bar.update(note=f"{sum(x.success for x in results)}/{len(results)} ok{extra}; seed {seed} {r.status}")
    if supervised:
        print(f"supervisor: {stops} stops; {sum(r.hit_standing for r in results)} of the collisions "
              f"were people walking into the robot while it stood still", flush=True)
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="genba-policy", description="genba policy training tools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ev = sub.add_parser("eval", help="closed-loop success rate over seeded scenarios")
    ev.add_argument("--policy", choices=["teacher", "torch", "onnx"], default="teacher")
    ev.add_argument("--checkpoint", help="student.pt (torch) or .onnx file (onnx)")
    ev.add_argument("--manifest", default="models/manifest.yaml")
    ev.add_argument("--seeds", type=parse_seeds, default=HELD_OUT_SEEDS, help="A:B, default the held-out set")
    ev.add_argument("--with-supervisor", action="store_true",
                    help="gate every command through the safety supervisor core, as on the robot")
    ev.add_argument("--perception-noise", type=parse_noise, metavar="V,P",
                    help="teacher only: it acts on people's velocity and position with Gaussian errors of V m/s "
                         "and P m, drawn afresh each step (how much its way with people rests on exact knowledge)")
    ev.add_argument("--perception-lag", type=parse_lag, default=0.0, metavar="S",
                    help="teacher only: it acts on where people were S seconds ago (with --perception-noise: "
                         "the errors on top)")
    ev.add_argument("--trace-failures", type=int, default=0, metavar="N",
                    help="a student only: print each failed episode's last N steps (0.1 s each), its commands "
                         "beside the teacher's in the same states and the nearest person (with --with-supervisor: what the student "
                         "asked for, before the supervisor)")
    co = sub.add_parser("collect", help="teacher-labelled episodes to an .npz dataset")
    co.add_argument("--seeds", type=parse_seeds, default=range(0, 60), help="A:B, default 0:60 (the BC set)")
    co.add_argument("--out", default="build/teacher.npz")
    di = sub.add_parser("distill", help="behaviour cloning on teacher data, then DAgger")
    di.add_argument("--out", default="build/policy")
    di.add_argument("--seed", type=int, default=0)
    di.add_argument("--teacher-data", help=".npz from 'genba-policy collect' (default: collect seeds 0:60 now)")
    di.add_argument("--fast", action="store_true",
                    help="DAgger episodes in 2 processes and training on 2 threads: ~14 instead of ~26 min on 2 cores, "
                         "a different model than without it (genba_student_v7 was trained with --fast --seed 0)")
    ex = sub.add_parser("export", help="ONNX export with metadata, and approval in the manifest")
    ex.add_argument("--checkpoint", required=True)
    ex.add_argument("--out", required=True)
    ex.add_argument("--manifest", default="models/manifest.yaml")
    ex.add_argument("--metrics", help="JSON file of evaluation results to embed")
    re_ = sub.add_parser("release", help="evaluate, export with metrics, approve, write the model card")
    re_.add_argument("--checkpoint", required=True)
    re_.add_argument("--name", default="genba_student_v7")
    re_.add_argument("--models-dir", default="models")
    args = ap.parse_args(argv)
    if args.cmd == "release":
        sys.exit(release_cmd(args))
    if args.cmd in ("distill", "collect"):
        from pathlib import Path

        from genba_policy.training import distill as d
        if args.cmd == "collect":
            taken = [_span(r) for r in EVAL_SEEDS if set(r) & set(args.seeds)]
            if taken:
                raise SystemExit(f"genba-policy collect: error: seeds {', '.join(taken)} are held out for evaluation")
            records = d.collect(args.seeds)
            digest = d.save_records(records, Path(args.out))
            print(f"{len(records)} samples -> {args.out} (dataset sha256 {digest[:16]}...)")
        else:
            data = Path(args.teacher_data) if args.teacher_data else None
            if data:
                try:
                    d.check_teacher_data(data)
                except ValueError as exc:
                    raise SystemExit(f"genba-policy distill: error: {exc}") from None
            d.distill(Path(args.out), args.seed, teacher_data=data, fast=args.fast)
        sys.exit(0)
    if args.cmd == "export":
        sys.exit(export_cmd(args))
    t0 = time.monotonic()
    if (args.perception_noise or args.perception_lag) and args.policy != "teacher":
        raise SystemExit("genba-policy eval: error: --perception-noise and --perception-lag are for the teacher "
                         "(the student has its own)")
    noise = args.perception_noise
    if args.perception_lag:
        noise = dataclasses.replace(noise or PerceptionNoise(), lag_s=args.perception_lag)
    if args.trace_failures and args.policy == "teacher":
        raise SystemExit("genba-policy eval: error: --trace-failures compares a student with the teacher")
    if args.trace_failures < 0:
        raise SystemExit(f"genba-policy eval: error: --trace-failures must be >= 0, got {args.trace_failures}")
    drive = None if args.policy == "teacher" else load_driver(args.policy, args.checkpoint, args.manifest)
    results = evaluate(args.seeds, drive, f"eval {args.policy}", supervised=args.with_supervisor,
                       noise=noise, trace_steps=args.trace_failures)
    ok = sum(r.success for r in results)
    collided = {"collisions": sum(r.status == "collision" for r in results),
                "collisions_with": collision_kinds(results)}
    print(f"\n| policy | scenarios | success | collisions (with) | timeouts | wall s |\n|---|---|---|---|---|---|\n"
          f"| {args.policy}{' + supervisor' if args.with_supervisor else ''}{_noise(noise)} | {len(results)} | {ok / len(results):.0%} | "
          f"{_collisions(collided)} | {sum(r.status == 'timeout' for r in results)} | "
          f"{time.monotonic() - t0:.0f} |")
    sys.exit(0)


def load_driver(kind: str, checkpoint: str | None, manifest: str):
    if not checkpoint:
        raise SystemExit("genba-policy eval: error: --checkpoint is required for the student")
    if kind == "torch":
        import torch

        from genba_policy.training.distill import student_driver
        from genba_policy.training.student import load_policy
        torch.set_num_threads(1)
        try:
            return student_driver(load_policy(checkpoint))
        except ValueError as exc:
            raise SystemExit(f"genba-policy eval: error: {exc}") from None
    from genba_policy.runtime import OnnxPolicy
    pol = OnnxPolicy(checkpoint, manifest, backend="cpu", log=lambda s: None)
    return lambda obs: pol.infer(obs)[:2]


def release_cmd(args) -> int:
    import json
    from argparse import Namespace
    from pathlib import Path

    import torch

    from genba_policy.training import report
    from genba_policy.training.distill import student_driver
    from genba_policy.training.student import load_policy, parameter_count
    models = Path(args.models_dir)
    onnx_path, manifest = models / f"{args.name}.onnx", models / "manifest.yaml"
    export_cmd(Namespace(checkpoint=args.checkpoint, out=str(onnx_path), manifest=str(manifest), metrics=None))
    m = load_policy(args.checkpoint)
    torch.set_num_threads(1)
    drivers = {"teacher": None, "student_torch": student_driver(m),
               "student_onnx": load_driver("onnx", str(onnx_path), str(manifest))}

    def evaluate_all(seeds: range, role: str) -> dict:
        print(f"evaluating on the unseen seeds {_span(seeds)}, {role} (teacher, student torch, student ONNX)...",
              flush=True)
        return {k: evaluate(seeds, drv, f"eval {k.replace('_', ' ')}") for k, drv in drivers.items()}
    chosen_on = [(seeds, evaluate_all(seeds, "used to choose recipes")) for seeds in SELECTION_SEEDS]
    kept_apart = evaluate_all(REPORT_SEEDS, "kept apart")
    every = [s for seeds, _ in chosen_on for s in seeds]
    metrics: dict = {
        "selection": [{"seeds": _span(seeds), **{k: report.summary(seeds, res[k]) for k in drivers}}
                      for seeds, res in chosen_on],
        "selection_all": {k: report.summary(every, [r for _, res in chosen_on for r in res[k]]) for k in drivers},
        "report": {"seeds": _span(REPORT_SEEDS), **{k: report.summary(REPORT_SEEDS, kept_apart[k]) for k in drivers}},
    }
    print(f"evaluating the student (ONNX) through the safety supervisor core on the {len(REPORT_SEEDS)} seeds "
          "kept apart...", flush=True)
    metrics["student_onnx_with_supervisor"] = report.success(
        REPORT_SEEDS, drivers["student_onnx"], "eval student onnx + supervisor", supervised=True)
    print("OOD rates...", flush=True)
    metrics["ood"] = report.ood_rates(m, range(9000, 9010))
    print("latency...", flush=True)
    metrics["latency_batch1"] = report.latency(m, str(onnx_path), str(manifest))
    metrics_path = Path(args.checkpoint).with_name("metrics.json")
    metrics_path.write_text(json.dumps(metrics, indent=2))
    export_cmd(Namespace(checkpoint=args.checkpoint, out=str(onnx_path), manifest=str(manifest),
                         metrics=str(metrics_path)))
    log = json.loads(Path(args.checkpoint).with_name("training_log.json").read_text())
    from genba_policy.runtime import sha256_file
    card = models / f"{args.name}.md"
    card.write_text(model_card(args.name, metrics, log, parameter_count(m), sha256_file(onnx_path),
                               onnx_path.stat().st_size))
    print(json.dumps(metrics, indent=2))
    print(f"model card -> {card}")
    return 0


def _noise(n: PerceptionNoise | None) -> str:
    if not n:
        return ""
    parts = []
    if n.velocity_mps or n.position_m:
        parts.append(f"to {n.velocity_mps:g} m/s, {n.position_m:g} m")
    if n.lag_s:
        parts.append(f"{n.lag_s:g} s late")
    return f" (people known {', '.join(parts)})"


def _collisions(r: dict) -> str:
    hits = r.get("collisions_with", {})
    return f"{r['collisions']}" + (" (" + ", ".join(f"{n} {k}" for k, n in sorted(hits.items())) + ")" if hits else "")


def _seeds(r: dict) -> str:
    return ", ".join(str(s) for s in r.get("failed_seeds", [])) or "-"


def _span(seeds: range) -> str:
    return f"{seeds.start}-{seeds.stop - 1}"


def model_card(name: str, m: dict, log: dict, params: int, sha: str, size: int) -> str:
    from genba_policy.observation import SCAN_BINS
    from genba_policy.training.augment import ADD_PERSON, TRACKED
    from genba_policy.training.dataset import TRAIN_PEDESTRIANS
    from genba_policy.training.distill import BC_SEEDS, COLLECT_WORKERS, DAGGER_BETAS, DAGGER_EPISODES, FAST_TRAIN_THREADS
    from genba_policy.training.scenarios import EVAL_PEDESTRIANS
    from genba_policy.training.student import FUSE_DROPOUT, IMAGE_DROPOUT, N_BEARING_BINS, WEIGHT_DECAY
    lat = m["latency_batch1"]
    fast = (f"--fast: DAgger episodes in {COLLECT_WORKERS} processes, training on {FAST_TRAIN_THREADS} torch threads"
            if log.get("fast") else f"teacher episodes in {COLLECT_WORKERS} processes, training on one torch thread")
    ood = m["ood"]
    rows = "\n".join(f"| {k} | {v['p50_ms']:.3f} | {v['p99_ms']:.3f} |" for k, v in lat.items())
    kept, chosen = m["report"], m["selection_all"]
    names = {"teacher": "teacher (privileged)", "student_torch": "student, torch",
             "student_onnx": "student, ONNX Runtime CPU"}
    n_chosen, n_kept = chosen["teacher"]["episodes"], kept["teacher"]["episodes"]
    set_heads = " | ".join(part["seeds"] for part in m["selection"])
    closed_loop_rows = "\n".join(
        f"| {names[k]} | " + " | ".join(f"{part[k]['success_rate']:.0%}" for part in m["selection"]) +
        f" | {chosen[k]['success_rate']:.0%} | **{kept[k]['success_rate']:.0%}** | {_collisions(kept[k])} | "
        f"{kept[k]['timeouts']} |" for k in names)
    failed_kept = "; ".join(f"{names[k]}: {_seeds(kept[k])}" for k in names)
    ratio = kept["student_onnx"]["success_rate"] / max(kept["teacher"]["success_rate"], 1e-9)
    d = m["student_onnx_with_supervisor"]
    deployed = (f"\nAs deployed, the same {d['episodes']} episodes with every command of the student (ONNX) "
                f"passing the safety supervisor core (`genba-policy eval --with-supervisor`): "
                f"{d['success_rate']:.0%} reach the goal; collisions {_collisions(d)}, "
                f"{d['collisions_standing']} of them people walking into the robot while the supervisor "
                f"held it still (the simulated people avoid no one); timeouts {d['timeouts']}.\n")
    meets = ratio >= 0.85 and ood["black_camera_flagged"] >= 0.95 and ood["lidar_all_max_flagged"] >= 0.95 \
        and ood["normal_flagged"] <= 0.05
    status = ("\n**Status: meets the issue #5 driving and OOD targets (the student/teacher ratio on the seeds kept "
              "apart, the OOD rates); TensorRT is measured only where a GPU is (see Limits).**\n") if meets else \
        "\n**Status: below target (see the tables) — opt-in only.**\n"
    rounds = "\n".join(f"| {r['round']} | {r.get('beta', 1.0)} | {r['samples']} | {r['loss']:.4f} | "
                        f"{r['episode_success_while_collecting']:.0%} |" if "episode_success_while_collecting" in r
                        else f"| {r['round']} | {r.get('beta', 1.0)} | {r['samples']} | {r['loss']:.4f} | (teacher) |"
                        for r in log["rounds"])
    n_snap = log.get("snapshots", 1)
    ensemble = (f". **An ensemble of {n_snap} such students**: the models after the last {n_snap} DAgger rounds of one "
                f"training run (snapshots taken on the way, so no extra training time); the graph averages their "
                f"decisions (the path bearing bins' probabilities, then the most likely bin refined by its neighbours; "
                f"people-free speed; the candidate speeds' probabilities, then the median class) and steers once; the OOD score is the members' largest" if n_snap > 1 else "")
    return f"""# Model card: {name}

Distilled multimodal driving policy for the genba differential-drive robot (simulated factory hall).
{status}

| | |
|---|---|
| file | `{name}.onnx` ({size} bytes), SHA-256 `{sha}` (approved in `manifest.yaml`) |
| inputs | image [1,3,48,64] RGB (x/255-0.5)/0.25; scan [1,{SCAN_BINS}] min range per sector / 8 m; scan_prev [1,{SCAN_BINS}] the scan 0.5 s earlier, moved by the odometry pose change to the laser's pose now (so scan - scan_prev is what moved in the world); state [1,2] measured v, w; goal [1,3] dist/10, cos, sin (base_link); route [1,3] the point 1.5 m ahead on the A* route over the static map (/map), dist/2, cos, sin (base_link); motion [1,2,{SCAN_BINS}] per sector, the ground velocity of the object tracked there (`genba_perception/tracker.py` over the full-resolution scans), radial and tangential to its bearing, 0 where nothing is tracked |
| outputs | cmd [1,2] v m/s (|v| <= 0.8), w rad/s (|w| <= 1.5); ood [1,1] in [0,1], > 0.8 = out of distribution |
| parameters | {params} |
| architecture | image: 3 conv layers, pooled to a 2x4 layout; LiDAR: circular 1-D convolutions over the {SCAN_BINS} sectors (scan, scan_prev, their difference and the two motion channels), so a person looks the same at every bearing; velocity, goal, route point: a small MLP; fused by an MLP into a head that predicts the teacher's decision (path bearing, as a choice of {N_BEARING_BINS} bins of {360 / N_BEARING_BINS:.1f} degrees, so that it picks a side round an obstacle instead of averaging both sides into it; people-free speed, which of the teacher's candidate speeds people allow, as a class; the graph takes the median class, not the most likely), turned into (v, w) by the teacher's own steering rule inside the graph{ensemble} |
| teacher | privileged: the cost to the goal from every cell of the true map (clutter included; Dijkstra with A*'s costs), pure pursuit along the way on from wherever the robot is; yields to people from their true positions and current velocities (walking straight on), judged from where the robot really is, with no timers: the same situation always gets the same label |
| training | behaviour cloning on {len(BC_SEEDS)} teacher episodes, then {len(DAGGER_BETAS)} DAgger rounds of {DAGGER_EPISODES} episodes (student drives with probability 1-beta, the teacher labels every state); measured velocity scrambled on half the training samples against copycat stalls; half the samples mirrored left-right (image, sectors, signs of w and bearings); auxiliary targets from the teacher's privileged state (path direction, people-safe speed, clearance, nearest person's position and velocity; training only, not in the ONNX graph); training scenarios with {TRAIN_PEDESTRIANS[0]}-{TRAIN_PEDESTRIANS[1]} people crossing (evaluation: {EVAL_PEDESTRIANS[0]}-{EVAL_PEDESTRIANS[1]}); each epoch, {ADD_PERSON:.0%} of the samples are offered one more person walking near the robot's way, drawn into the scan and scan_prev where the LiDAR could see them and, for {TRACKED:.0%} of them (as often as the tracker follows a person), into the motion channels with the tracker's velocity error (the camera's features dropped for those) and labelled by the teacher's rule from the state's recorded geometry (`training/augment.py`); against learning scenes by heart, the camera's features dropped on {IMAGE_DROPOUT:.0%} of samples, dropout {FUSE_DROPOUT} in the fused layer, AdamW weight decay {WEIGHT_DECAY:g}; seed {log.get('seed')}; {log.get('samples')} samples; {log.get('train_seconds')} s on the 2-core dev VM ({fast}) |
| dataset SHA-256 | `{log.get('dataset_sha256')}` |
| reproduce | `genba-policy distill --out build/policy --seed {log.get('seed')}{' --fast' if log.get('fast') else ''}` then `genba-policy release --checkpoint build/policy/student.pt --name {name}` |

## Closed-loop evaluation (unseen seeds, never trained on)

The {n_chosen} seeds of the first columns were used to choose between training recipes, which flatters whichever was
chosen; the {n_kept} kept apart ({kept['seeds']}) were never used for any choice, and the issue's
ratio is judged on them.

| policy | {set_heads} | all {n_chosen} used to choose | kept apart {kept['seeds']} | collisions (with), kept apart | timeouts, kept apart |
|---|---|---|---|---|---|---|---|
{closed_loop_rows}

Failed seeds kept apart: {failed_kept}.
Student / teacher success ratio (ONNX, the {n_kept} seeds kept apart): {ratio:.0%} (target >= 85%).
These episodes run the policy alone, without the safety supervisor; on the robot every command
still passes the supervisor.
{deployed}
## Out-of-distribution score ({ood['samples_each']} observations each, threshold 0.8)

| input | flagged |
|---|---|
| normal (held-out scenarios) | {ood['normal_flagged']:.1%} |
| camera black | {ood['black_camera_flagged']:.1%} |
| LiDAR all at max range | {ood['lidar_all_max_flagged']:.1%} |

## Batch-1 latency on the 2-core dev VM

| backend | p50 ms | p99 ms |
|---|---|---|
{rows}

## DAgger rounds

| round | beta | samples | loss | student episodes reaching the goal while collecting |
|---|---|---|---|---|
{rounds}

## Limits
Trained and evaluated only in the simulated hall (one map, capsule-shaped people); not validated on
real images. Needs the site's static map on `/map` (it steers by the route point). Driving alone,
most of its failures are collisions with people crossing its way (the teacher knows where they are
and how they walk, the student has two LiDAR scans 0.5 s apart, the LiDAR tracker's estimates and a camera frame) and with clutter
that is not on the map. On the robot the safety supervisor's collision zones stand between those
and the motors, but they judge the robot's own motion against a still world: they do not stop a
person walking into the robot's side (see the as-deployed figures above). TensorRT fp16 parity
and latency have not been measured (no GPU was available).
"""


def export_cmd(args) -> int:
    import json
    from pathlib import Path

    from genba_policy.training.export import approve, export_onnx
    from genba_policy.training.student import load_policy, parameter_count
    try:
        m = load_policy(args.checkpoint)
    except ValueError as exc:
        raise SystemExit(f"genba-policy export: error: {exc}") from None
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
