"""The model card written by ``genba-policy release``: ``templates/model_card.md`` with its named
fields (``${name}``) filled from the evaluation metrics and the training log."""

from __future__ import annotations

import string
from importlib import resources

from genba_training.evaluation import collisions_text, failed_seeds_text

ROLES = {"teacher": "teacher (privileged)", "student_torch": "student, torch",
         "student_onnx": "student, ONNX Runtime CPU"}
RATIO_TARGET = 0.85
OOD_TARGETS = {"black_camera_flagged": 0.95, "lidar_all_max_flagged": 0.95}  # at least
NORMAL_FLAGGED_MAX = 0.05


def template() -> string.Template:
    return string.Template(resources.files("genba_training").joinpath("templates/model_card.md").read_text())


def meets_targets(ratio: float, ood: dict) -> bool:
    """The student/teacher ratio on the seeds kept apart, and the OOD flag rates."""
    return ratio >= RATIO_TARGET and all(ood[k] >= v for k, v in OOD_TARGETS.items()) \
        and ood["normal_flagged"] <= NORMAL_FLAGGED_MAX


def _dagger_row(r: dict) -> str:
    collected = f"{r['episode_success_while_collecting']:.0%}" if "episode_success_while_collecting" in r \
        else "(teacher)"
    return f"| {r['round']} | {r.get('beta', 1.0)} | {r['samples']} | {r['loss']:.4f} | {collected} |"


def _ensemble(n_snap: int) -> str:
    if n_snap <= 1:
        return ""
    return (
        f". **An ensemble of {n_snap} such students**: the models after the last {n_snap} DAgger rounds of "
        "one training run (snapshots taken on the way, so no extra training time); the graph averages their "
        "decisions (the path bearing bins' probabilities, then the most likely bin refined by its "
        "neighbours; the path speed; the candidate speeds' probabilities, then the median class) and steers "
        "once; the OOD score is the members' largest"
    )


def deployed_section(d: dict) -> str:
    """As deployed: the student (ONNX) alone and behind the supervisor core on the same seeds, with
    collisions split robot moving / at rest and person / static, the closest approach to a person
    and the supervisor's harm (``evaluation.outcome_report`` less the episodes)."""
    t, h = d["totals"], d["supervisor"]

    def sep(x: dict) -> str:
        if x["min_person_separation_m"] is None:
            return "-"
        return f"{x['min_person_separation_m']:.2f} / {x['median_min_person_separation_m']:.2f}"

    rows = "\n".join(
        f"| {label} | {x['success_rate']:.0%} | {x['collisions_moving']} ({x['collisions_person_moving']}) | "
        f"{x['collisions_at_rest']} | {x['collisions_static']} | {x['timeouts']} | {sep(x)} |"
        for label, x in (("student alone", t["alone"]), ("**as deployed**", t["supervised"]))
    )
    return (
        f"\nAs deployed (`genba-policy eval --policy onnx --compare-supervisor`), the same "
        f"{t['alone']['episodes']} episodes, every command of the student passing the safety supervisor "
        "core:\n\n"
        "| run | success | collisions robot moving (person) | robot at rest | static | timeouts | "
        "closest to a person, min / median m |\n|---|---|---|---|---|---|---|\n"
        f"{rows}\n\nSupervisor harm (alone reaches the goal, as deployed does not): {h['harm']} episodes "
        f"({h['harm_rate']:.0%}); helped (the other way round): {h['helped']}.\n"
    )


def model_card(name: str, m: dict, log: dict, params: int, sha: str, size: int) -> str:
    """The card of model ``name`` from the release ``metrics`` and the distillation ``log``."""
    from genba_policy.observation import SCAN_BINS
    from genba_training.augment import ADD_PERSON, TRACKED
    from genba_training.dataset import TRAIN_PEDESTRIANS
    from genba_training.distill import (
        BC_SEEDS,
        COLLECT_WORKERS,
        DAGGER_BETAS,
        DAGGER_EPISODES,
        FAST_TRAIN_THREADS,
    )
    from genba_training.scenarios import EVAL_PEDESTRIANS
    from genba_training.student import FUSE_DROPOUT, IMAGE_DROPOUT, N_BEARING_BINS, WEIGHT_DECAY

    kept, chosen, ood = m["report"], m["selection_all"], m["ood"]
    ratio = kept["student_onnx"]["success_rate"] / max(kept["teacher"]["success_rate"], 1e-9)
    status = (
        "\n**Status: meets the driving and OOD targets (the student/teacher ratio on the seeds kept "
        "apart, the OOD rates); TensorRT is measured only where a GPU is (see Limits).**\n"
        if meets_targets(ratio, ood)
        else "\n**Status: below target (see the tables) — opt-in only.**\n"
    )
    how = (
        f"--fast: DAgger episodes in {COLLECT_WORKERS} processes, "
        f"training on {FAST_TRAIN_THREADS} torch threads"
        if log.get("fast")
        else f"teacher episodes in {COLLECT_WORKERS} processes, training on one torch thread"
    )
    closed_loop_rows = "\n".join(
        f"| {label} | "
        + " | ".join(f"{part[k]['success_rate']:.0%}" for part in m["selection"])
        + f" | {chosen[k]['success_rate']:.0%} | **{kept[k]['success_rate']:.0%}** | "
        f"{collisions_text(kept[k])} | "
        f"{kept[k]['timeouts']} |"
        for k, label in ROLES.items()
    )
    fields = {
        "name": name,
        "status": status,
        "size_bytes": size,
        "sha256": sha,
        "scan_bins": SCAN_BINS,
        "parameters": params,
        "bearing_bins": N_BEARING_BINS,
        "bearing_bin_deg": f"{360 / N_BEARING_BINS:.1f}",
        "ensemble": _ensemble(log.get("snapshots", 1)),
        "bc_episodes": len(BC_SEEDS),
        "dagger_rounds": len(DAGGER_BETAS),
        "dagger_episodes": DAGGER_EPISODES,
        "train_people_min": TRAIN_PEDESTRIANS[0],
        "train_people_max": TRAIN_PEDESTRIANS[1],
        "eval_people_min": EVAL_PEDESTRIANS[0],
        "eval_people_max": EVAL_PEDESTRIANS[1],
        "add_person": f"{ADD_PERSON:.0%}",
        "tracked": f"{TRACKED:.0%}",
        "image_dropout": f"{IMAGE_DROPOUT:.0%}",
        "fuse_dropout": FUSE_DROPOUT,
        "weight_decay": f"{WEIGHT_DECAY:g}",
        "seed": log.get("seed"),
        "samples": log.get("samples"),
        "train_seconds": log.get("train_seconds"),
        "how_trained": how,
        "dataset_sha256": log.get("dataset_sha256"),
        "fast_flag": " --fast" if log.get("fast") else "",
        "n_chosen": chosen["teacher"]["episodes"],
        "n_kept": kept["teacher"]["episodes"],
        "kept_seeds": kept["seeds"],
        "selection_heads": " | ".join(part["seeds"] for part in m["selection"]),
        "closed_loop_rows": closed_loop_rows,
        "failed_kept": "; ".join(f"{label}: {failed_seeds_text(kept[k])}" for k, label in ROLES.items()),
        "ratio": f"{ratio:.0%}",
        "deployed": deployed_section(m["student_onnx_with_supervisor"]),
        "ood_samples": ood["samples_each"],
        "ood_normal": f"{ood['normal_flagged']:.1%}",
        "ood_black_camera": f"{ood['black_camera_flagged']:.1%}",
        "ood_lidar_all_max": f"{ood['lidar_all_max_flagged']:.1%}",
        "latency_rows": "\n".join(
            f"| {k} | {v['p50_ms']:.3f} | {v['p99_ms']:.3f} |" for k, v in m["latency_batch1"].items()
        ),
        "dagger_rows": "\n".join(_dagger_row(r) for r in log["rounds"]),
    }
    return template().substitute(fields)
