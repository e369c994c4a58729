"""Closed-loop evaluation over seeded scenarios: the teacher or a student driving, alone or through
the safety supervisor core, and the seed sets that recipes are chosen on and judged on."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from genba_sim.scenario import Scenario
from genba_training.episodes import EpisodeResult, collision_kinds, run_episode
from genba_training.scenarios import generate
from genba_training.sites import FAMILIES, generate_site
from genba_training.teacher import PerceptionNoise, Teacher

HELD_OUT_SEEDS = range(9000, 9020)  # never used for data collection
SECOND_UNSEEN_SEEDS = range(8000, 8040)  # never trained on either: 20 episodes alone are too few to judge by
FRESH_SEEDS = range(7000, 7060)  # never trained on; first evaluated after v4 was chosen (see its card)
# Never trained on, but every recipe so far was chosen by its success on them, which flatters the
# chosen one (v4: 80% on the first two, 63% on FRESH_SEEDS). Choose on these...
SELECTION_SEEDS = (HELD_OUT_SEEDS, SECOND_UNSEEN_SEEDS, FRESH_SEEDS)
# ...and judge on these: never trained on, never used to choose. The student/teacher ratio.
REPORT_SEEDS = range(5000, 5100)
EVAL_SEEDS = (*SELECTION_SEEDS, REPORT_SEEDS)
# The people-aware supervisor is judged on these with --layout mixed (the factory hall and the site
# layouts of genba_training.sites, half of the people aware): never trained on, never tuned on.
PEOPLE_SEEDS = range(3000, 3200)
LAYOUTS = ("factory_hall", *FAMILIES)


def scenario_for(seed: int, layout: str = "factory_hall", aware_share: float = 0.0) -> Scenario:
    """The scenario of ``seed`` on ``layout`` (``mixed``: ``LAYOUTS[seed % 5]``), with ``aware_share``
    of its people aware of the robot (drawn from the seed)."""
    if layout == "mixed":
        layout = LAYOUTS[seed % len(LAYOUTS)]
    if layout != "factory_hall":
        return generate_site(seed, layout, aware_share)
    sc = generate(seed)
    if aware_share > 0.0 and sc.pedestrians:
        rng = np.random.default_rng([seed, 1])
        sc = dataclasses.replace(sc, pedestrians=tuple(
            dataclasses.replace(p, behavior="aware" if rng.uniform() < aware_share else "oblivious")
            for p in sc.pedestrians))
    return sc

Drive = Callable[[dict], tuple[float, float]]


def teacher_act(teacher: Teacher) -> Callable:
    """The privileged teacher as an episode's ``act(sim) -> (v, w)`` (it sees aware people in ``sim``)."""

    def act(sim):
        teacher.sim = sim
        return teacher.act(sim.pose(), sim.time)
    return act


def evaluate(seeds, drive: Drive | None = None, label: str = "eval", supervised: bool = False,
             noise: PerceptionNoise | None = None, trace_steps: int = 0, layout: str = "factory_hall",
             aware_share: float = 0.0, lidar_faults: bool = False) -> list[EpisodeResult]:
    """Closed-loop episodes on ``seeds``: the teacher drives if ``drive`` is None (acting on people
    estimates with ``noise``, if given), else the student (``drive(obs) -> (v, w)``), alone, or with
    ``supervised`` through the safety supervisor core as on the robot (``supervised.py``). A
    progress bar per episode. ``trace_steps`` > 0 (a student only): each failed episode's last steps
    are printed beside what the teacher would have done (``trace.py``). ``layout`` and
    ``aware_share``: see :func:`scenario_for`; ``lidar_faults``: the supervisor's scan is noisier
    (``supervised.NoisyLidar``)."""
    from genba_training.dataset import CAMERA, student_act
    from genba_training.progress import Bar
    from genba_training.supervised import run_supervised_episode
    from genba_training.trace import Tracer, format_trace

    results = []
    stops = 0
    bar = Bar(label, len(seeds))
    for seed in seeds:
        sc = scenario_for(seed, layout, aware_share)
        if drive is None:
            act, camera = teacher_act(Teacher(sc, noise=noise)), None
        else:
            act, camera = student_act(sc, drive), CAMERA
            if trace_steps > 0:
                act = Tracer(sc, act, trace_steps)
        if supervised:
            r, n = run_supervised_episode(sc, act, camera=camera, lidar_faults=lidar_faults)
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


def _evaluate_chunk(job: tuple) -> list[EpisodeResult]:
    """One worker's share of :func:`evaluate_parallel` (the driver is loaded in the worker)."""
    seeds, driver, label, kw = job
    drive = None if driver is None else load_driver(*driver)
    return evaluate(seeds, drive, label, **kw)


def evaluate_parallel(seeds, driver: tuple[str, str, str] | None, workers: int, label: str = "eval",
                      **kw) -> list[EpisodeResult]:
    """:func:`evaluate` over ``workers`` processes, each loading the student itself from
    ``driver`` = (kind, checkpoint, manifest) (None: the teacher); results in seed order."""
    seeds = list(seeds)
    if workers <= 1:
        return evaluate(seeds, None if driver is None else load_driver(*driver), label, **kw)
    import multiprocessing

    chunks = [seeds[i::workers] for i in range(workers)]
    jobs = [(c, driver, f"{label} [{i + 1}/{workers}]", kw) for i, c in enumerate(chunks) if c]
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        parts = pool.map(_evaluate_chunk, jobs)
    by_seed = {s: r for c, part in zip(chunks, parts, strict=False) for s, r in zip(c, part, strict=True)}
    return [by_seed[s] for s in seeds]


def summary(seeds, res: list[EpisodeResult]) -> dict:
    """Success rate, collisions by kind, timeouts and failed seeds of the episodes ``res`` on ``seeds``."""
    return {"success_rate": sum(r.success for r in res) / len(res), "episodes": len(res),
            "collisions": sum(r.status == "collision" for r in res), "collisions_with": collision_kinds(res),
            "collisions_standing": sum(r.hit_standing for r in res),
            "timeouts": sum(r.status == "timeout" for r in res),
            "failed_seeds": [seed for seed, r in zip(seeds, res, strict=True) if not r.success]}


def record(seed: int, r: EpisodeResult) -> dict:
    """One episode as a JSON record (the trajectory left out)."""
    d = dataclasses.asdict(r)
    d.pop("trajectory")
    if not np.isfinite(d["min_person_distance_m"]):
        d["min_person_distance_m"] = None  # no person in the episode
    moving = r.status == "collision" and not r.hit_standing
    return {"seed": seed, **d, "collision_while_moving": moving}


def totals(res: list[EpisodeResult]) -> dict:
    """Outcome totals: success, collisions split robot moving / at rest and person / static,
    timeouts, and the minimum separation from people over the episodes that had people near."""
    coll = [r for r in res if r.status == "collision"]
    seps = sorted(r.min_person_distance_m for r in res if np.isfinite(r.min_person_distance_m))
    return {
        "episodes": len(res),
        "success_rate": sum(r.success for r in res) / max(len(res), 1),
        "collisions": len(coll),
        "collisions_moving": sum(not r.hit_standing for r in coll),
        "collisions_at_rest": sum(r.hit_standing for r in coll),
        "collisions_person": sum(r.hit == "person" for r in coll),
        "collisions_static": sum(r.hit != "person" for r in coll),
        "collisions_person_moving": sum(r.hit == "person" and not r.hit_standing for r in coll),
        "timeouts": sum(r.status == "timeout" for r in res),
        "min_person_separation_m": seps[0] if seps else None,
        "median_min_person_separation_m": seps[len(seps) // 2] if seps else None,
    }


def outcome_report(seeds: list[int], runs: dict[str, list[EpisodeResult]]) -> dict:
    """Per-episode records and totals of each run (``alone``, ``supervised``); with both, the
    supervisor's harm (alone passes, supervised fails) and help (the other way round)."""
    out: dict = {
        "seeds": [seeds[0], seeds[-1]] if seeds else [],
        "episodes": {k: [record(s, r) for s, r in zip(seeds, res, strict=True)] for k, res in runs.items()},
        "totals": {k: totals(res) for k, res in runs.items()},
    }
    if "alone" in runs and "supervised" in runs:
        pairs = list(zip(seeds, runs["alone"], runs["supervised"], strict=True))
        harm = [s for s, a, b in pairs if a.success and not b.success]
        helped = [s for s, a, b in pairs if not a.success and b.success]
        out["supervisor"] = {
            "harm": len(harm),
            "harm_rate": len(harm) / max(len(pairs), 1),
            "harm_seeds": harm,
            "helped": len(helped),
            "helped_seeds": helped,
        }
    return out


def outcome_table(label: str, report: dict, wall_s: float) -> str:
    """The report as a Markdown table: one row per run, with harm below when both ran."""
    rows = [
        "| policy | run | scenarios | success | collisions moving (person) | at rest | static | "
        "timeouts | min / median separation m |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for k, t in report["totals"].items():
        sep = (
            "-"
            if t["min_person_separation_m"] is None
            else f"{t['min_person_separation_m']:.2f} / {t['median_min_person_separation_m']:.2f}"
        )
        rows.append(
            f"| {label} | {k} | {t['episodes']} | {t['success_rate']:.0%} | {t['collisions_moving']} "
            f"({t['collisions_person_moving']}) | {t['collisions_at_rest']} | {t['collisions_static']} | "
            f"{t['timeouts']} | {sep} |"
        )
    text = "\n".join(rows)
    if "supervisor" in report:
        h = report["supervisor"]
        text += (
            f"\n\nsupervisor harm: {h['harm']} of {report['totals']['alone']['episodes']} "
            f"({h['harm_rate']:.1%}; seeds {', '.join(map(str, h['harm_seeds'])) or '-'}); "
            f"helped: {h['helped']}"
        )
    return text + f"\n\n({wall_s:.0f} s)"


def success(seeds, drive: Drive | None, label: str = "eval", supervised: bool = False) -> dict:
    """Closed-loop :func:`summary` over ``seeds`` (see :func:`evaluate`)."""
    return summary(seeds, evaluate(seeds, drive, label, supervised=supervised))


def load_driver(kind: str, checkpoint: str | None, manifest: str, prog: str = "genba-policy eval") -> Drive:
    """The student as ``drive(obs) -> (v, w)``: a torch checkpoint, or an approved ONNX file on the CPU."""
    if not checkpoint:
        raise SystemExit(f"{prog}: error: --checkpoint is required for the student")
    if kind == "torch":
        import torch

        from genba_training.distill import student_driver
        from genba_training.student import load_student

        torch.set_num_threads(1)
        try:
            return student_driver(load_student(checkpoint))
        except ValueError as exc:
            raise SystemExit(f"{prog}: error: {exc}") from None
    from genba_policy.runtime import open_policy

    # the CPU backend: evaluations are compared across machines, and a GPU's rounding is its own
    pol = open_policy(
        "onnx", model_path=checkpoint, manifest_path=manifest, onnx_backend="cpu", log=lambda s: None
    )
    return lambda obs: pol.infer(obs)[:2]


def span(seeds: range) -> str:
    """``5000-5099`` for range(5000, 5100)."""
    return f"{seeds.start}-{seeds.stop - 1}"


def collisions_text(r: dict) -> str:
    """``3 (2 person, 1 shelf)`` from a :func:`summary`."""
    hits = r.get("collisions_with", {})
    return f"{r['collisions']}" + (
        " (" + ", ".join(f"{n} {k}" for k, n in sorted(hits.items())) + ")" if hits else ""
    )


def failed_seeds_text(r: dict) -> str:
    return ", ".join(str(s) for s in r.get("failed_seeds", [])) or "-"
