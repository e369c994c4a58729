"""``genba-policy``: training-side commands. Implemented so far: ``eval`` (closed-loop success of a
policy over seeded held-out scenarios). ``collect``, ``distill`` and ``export`` are issue #5's
remaining work and are not implemented yet.

    genba-policy eval --policy teacher --seeds 9000:9020
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
    ev.add_argument("--policy", choices=["teacher"], default="teacher",
                    help="which policy (the distilled student is not implemented yet)")
    ev.add_argument("--seeds", type=parse_seeds, default=HELD_OUT_SEEDS, help="A:B, default the held-out set")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    results = evaluate_teacher(args.seeds)
    ok = sum(r.success for r in results)
    print(f"\n| policy | scenarios | success | collisions | timeouts | wall s |\n|---|---|---|---|---|---|\n"
          f"| {args.policy} | {len(results)} | {ok / len(results):.0%} | "
          f"{sum(r.status == 'collision' for r in results)} | {sum(r.status == 'timeout' for r in results)} | "
          f"{time.monotonic() - t0:.0f} |")
    sys.exit(0)


if __name__ == "__main__":
    main()
