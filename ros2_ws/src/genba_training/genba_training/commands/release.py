"""``genba-policy release``: evaluate, export with the metrics, approve, write the model card.

Evaluates teacher / torch / ONNX on the unseen seeds that recipes are chosen on and on the seeds kept
apart (the student/teacher ratio is judged there), the ONNX student through the safety supervisor,
OOD rates and latency; exports the ONNX with those metrics in its metadata, approves it in
``models/manifest.yaml`` and renders the model card (``templates/model_card.md``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub) -> None:
    re_ = sub.add_parser("release", help="evaluate, export with metrics, approve, write the model card")
    re_.add_argument("--checkpoint", required=True)
    re_.add_argument(
        "--name", required=True, help="the new model's name, e.g. genba_student_v8 (file and card)"
    )
    re_.add_argument("--models-dir", default="models")


def run(args: argparse.Namespace) -> int:
    import torch

    from genba_common.manifest import sha256_file
    from genba_training import report
    from genba_training.commands import export
    from genba_training.distill import student_driver
    from genba_training.evaluation import (
        REPORT_SEEDS,
        SELECTION_SEEDS,
        evaluate,
        load_driver,
        outcome_report,
        span,
        summary,
    )
    from genba_training.model_card import model_card
    from genba_training.student import load_student, parameter_count

    models = Path(args.models_dir)
    onnx_path, manifest = models / f"{args.name}.onnx", models / "manifest.yaml"
    export.run(
        argparse.Namespace(
            checkpoint=args.checkpoint, out=str(onnx_path), manifest=str(manifest), metrics=None
        )
    )
    m = load_student(args.checkpoint)
    torch.set_num_threads(1)
    drivers = {
        "teacher": None,
        "student_torch": student_driver(m),
        "student_onnx": load_driver("onnx", str(onnx_path), str(manifest)),
    }

    def evaluate_all(seeds: range, role: str) -> dict:
        print(
            f"evaluating on the unseen seeds {span(seeds)}, {role} (teacher, student torch, student ONNX)...",
            flush=True,
        )
        return {k: evaluate(seeds, drv, f"eval {k.replace('_', ' ')}") for k, drv in drivers.items()}

    chosen_on = [(seeds, evaluate_all(seeds, "used to choose recipes")) for seeds in SELECTION_SEEDS]
    kept_apart = evaluate_all(REPORT_SEEDS, "kept apart")
    every = [s for seeds, _ in chosen_on for s in seeds]
    metrics: dict = {
        "selection": [
            {"seeds": span(seeds), **{k: summary(seeds, res[k]) for k in drivers}} for seeds, res in chosen_on
        ],
        "selection_all": {k: summary(every, [r for _, res in chosen_on for r in res[k]]) for k in drivers},
        "report": {"seeds": span(REPORT_SEEDS), **{k: summary(REPORT_SEEDS, kept_apart[k]) for k in drivers}},
    }
    print(
        f"evaluating the student (ONNX) through the safety supervisor core on the {len(REPORT_SEEDS)} seeds "
        "kept apart...",
        flush=True,
    )
    behind = evaluate(REPORT_SEEDS, drivers["student_onnx"], "eval student onnx + supervisor",
                      supervised=True)
    outcome = outcome_report(list(REPORT_SEEDS), {"alone": kept_apart["student_onnx"], "supervised": behind})
    metrics["student_onnx_with_supervisor"] = {k: v for k, v in outcome.items() if k != "episodes"}
    print("OOD rates...", flush=True)
    metrics["ood"] = report.ood_rates(m, range(9000, 9010))
    print("latency...", flush=True)
    metrics["latency_batch1"] = report.latency(m, str(onnx_path), str(manifest))
    metrics_path = Path(args.checkpoint).with_name("metrics.json")
    metrics_path.write_text(json.dumps(metrics, indent=2))
    export.run(
        argparse.Namespace(
            checkpoint=args.checkpoint, out=str(onnx_path), manifest=str(manifest), metrics=str(metrics_path)
        )
    )
    log = json.loads(Path(args.checkpoint).with_name("training_log.json").read_text())
    card = models / f"{args.name}.md"
    card.write_text(
        model_card(
            args.name, metrics, log, parameter_count(m), sha256_file(onnx_path), onnx_path.stat().st_size
        )
    )
    print(json.dumps(metrics, indent=2))
    print(f"model card -> {card}")
    return 0
