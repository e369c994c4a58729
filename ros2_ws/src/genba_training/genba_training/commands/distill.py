"""``genba-policy distill``: behaviour cloning on teacher data, then DAgger."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub) -> None:
    di = sub.add_parser("distill", help="behaviour cloning on teacher data, then DAgger")
    di.add_argument("--out", default="build/policy")
    di.add_argument("--seed", type=int, default=0)
    di.add_argument(
        "--teacher-data", help=".npz from 'genba-policy collect' (default: collect seeds 0:60 now)"
    )
    di.add_argument(
        "--fast",
        action="store_true",
        help="DAgger episodes in 2 processes and training on 2 threads: ~14 instead of ~26 min on "
        "2 cores, a different model than without it (the shipped student was trained with "
        "--fast --seed 0; its card says)",
    )


def run(args: argparse.Namespace) -> int:
    from genba_training import distill

    data = Path(args.teacher_data) if args.teacher_data else None
    if data:
        try:
            distill.check_teacher_data(data)
        except ValueError as exc:
            raise SystemExit(f"genba-policy distill: error: {exc}") from None
    distill.distill(Path(args.out), args.seed, teacher_data=data, fast=args.fast)
    return 0
