"""``genba-policy collect``: teacher-labelled episodes to an .npz dataset."""

from __future__ import annotations

import argparse
from pathlib import Path

from genba_training.commands.evaluate import parse_seeds
from genba_training.evaluation import EVAL_SEEDS, span


def add_parser(sub) -> None:
    co = sub.add_parser("collect", help="teacher-labelled episodes to an .npz dataset")
    co.add_argument("--seeds", type=parse_seeds, default=range(0, 60), help="A:B, default 0:60 (the BC set)")
    co.add_argument("--out", default="build/teacher.npz")


def run(args: argparse.Namespace) -> int:
    from genba_training import distill

    taken = [span(r) for r in EVAL_SEEDS if set(r) & set(args.seeds)]
    if taken:
        raise SystemExit(f"genba-policy collect: error: seeds {', '.join(taken)} are held out for evaluation")
    records = distill.collect(args.seeds)
    digest = distill.save_records(records, Path(args.out))
    print(f"{len(records)} samples -> {args.out} (dataset sha256 {digest[:16]}...)")
    return 0
