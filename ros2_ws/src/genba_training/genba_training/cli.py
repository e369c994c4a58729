"""``genba-policy``: the training-side commands, one module each under ``commands/``.

    genba-policy collect --seeds 0:60 --out build/teacher.npz   # teacher-labelled episodes (optional)
    genba-policy distill --out build/policy --seed 0 [--teacher-data build/teacher.npz] [--fast]
        (teacher data, behaviour cloning, DAgger rounds, with progress bars; --fast: for experiments,
         about 1.8x quicker on 2 cores, a different model)
    genba-policy export --checkpoint build/policy/student.pt --out models/NAME.onnx
    genba-policy eval --policy teacher|torch|onnx --seeds 9000:9020 [--with-supervisor] [--trace-failures 12]
        [--perception-noise 0.2,0.1] [--perception-lag 0.5]   # teacher on noisy or late people estimates
    genba-policy release --checkpoint build/policy/student.pt --name NAME
        (evaluates, exports with the metrics, approves in models/manifest.yaml, writes the model card)
"""

from __future__ import annotations

import argparse
import sys

from genba_training.commands import collect, distill, evaluate, export, release

COMMANDS = {"eval": evaluate, "collect": collect, "distill": distill, "export": export, "release": release}


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="genba-policy", description="genba policy training tools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for module in COMMANDS.values():
        module.add_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    sys.exit(COMMANDS[args.cmd].run(args))


if __name__ == "__main__":
    main()
