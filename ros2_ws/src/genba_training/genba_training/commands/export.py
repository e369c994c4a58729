"""``genba-policy export``: ONNX export with metadata, and approval in the manifest."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub) -> None:
    ex = sub.add_parser("export", help="ONNX export with metadata, and approval in the manifest")
    ex.add_argument("--checkpoint", required=True)
    ex.add_argument("--out", required=True)
    ex.add_argument("--manifest", default="models/manifest.yaml")
    ex.add_argument("--metrics", help="JSON file of evaluation results to embed")


def run(args: argparse.Namespace) -> int:
    from genba_training.export import approve, export_onnx
    from genba_training.student import load_student, parameter_count
    try:
        m = load_student(args.checkpoint)
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
    print(
        f"exported {out} ({out.stat().st_size} bytes, sha256 {digest[:16]}...) "
        f"and approved it in {args.manifest}"
    )
    return 0
