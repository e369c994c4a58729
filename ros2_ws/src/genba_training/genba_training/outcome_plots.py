"""Pictures of a closed-loop evaluation (``genba-policy eval --plots DIR``): the minimum separation
from people per episode as a histogram, and the trajectories of the worst episodes on their map."""

from __future__ import annotations

import math
from pathlib import Path

from genba_training.episodes import EpisodeResult


def _badness(r: EpisodeResult) -> tuple:
    """Worst first: moving collisions, then any collision, then the closest approach to a person."""
    moving = r.status == "collision" and not r.hit_standing
    sep = r.min_person_distance_m if math.isfinite(r.min_person_distance_m) else 99.0
    return (not moving, r.status != "collision", sep)


def outcome_plots(
    folder: str,
    runs: dict[str, list[EpisodeResult]],
    seeds: list[int],
    worst: int = 6,
    layout: str = "factory_hall",
    aware_share: float = 0.0,
) -> list[Path]:
    """Writes ``min_separation.png`` and ``worst_<run>.png`` in ``folder``; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from genba_training.evaluation import scenario_for

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, res in runs.items():
        seps = [r.min_person_distance_m for r in res if math.isfinite(r.min_person_distance_m)]
        ax.hist(seps, bins=[i * 0.1 for i in range(31)], alpha=0.55, label=f"{name} ({len(seps)} episodes)")
    ax.set_xlabel("closest the chassis came to a person per episode (m; 0 = contact, 3 = none within 3 m)")
    ax.set_ylabel("episodes")
    ax.legend()
    fig.tight_layout()
    paths.append(out / "min_separation.png")
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)
    for name, res in runs.items():
        ranked = sorted(zip(seeds, res, strict=True), key=lambda sr: _badness(sr[1]))[:worst]
        cols = min(3, len(ranked)) or 1
        rows = math.ceil(len(ranked) / cols) or 1
        fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.6 * rows), squeeze=False)
        for ax, (seed, r) in zip(axes.ravel(), ranked, strict=False):
            sc = scenario_for(seed, layout, aware_share)
            ax.add_patch(Rectangle((-sc.hall_x / 2, -sc.hall_y / 2), sc.hall_x, sc.hall_y, fill=False))
            for b in sc.obstacles:
                ax.add_patch(
                    Rectangle((b.x - b.sx, b.y - b.sy), 2 * b.sx, 2 * b.sy, color="tab:blue", alpha=0.4)
                )
            for p in sc.pedestrians:
                ax.plot(
                    [q[0] for q in p.waypoints],
                    [q[1] for q in p.waypoints],
                    "--" if p.behavior == "oblivious" else ":",
                    color="tab:red",
                    lw=1,
                )
            if r.trajectory:
                ax.plot([q[1] for q in r.trajectory], [q[2] for q in r.trajectory], color="k", lw=1.5)
                ax.plot(r.trajectory[-1][1], r.trajectory[-1][2], "x", color="k", ms=9)
            ax.plot(sc.start.x, sc.start.y, "o", color="tab:green")
            ax.plot(sc.goal.x, sc.goal.y, "*", color="tab:orange", ms=12)
            sep = f"{r.min_person_distance_m:.2f} m" if math.isfinite(r.min_person_distance_m) else "-"
            hit = f" {r.hit} at {r.contact_speed_mps:.2f} m/s" if r.status == "collision" else ""
            ax.set_title(f"seed {seed}: {r.status}{hit}, min sep {sep}", fontsize=9)
            ax.set_aspect("equal")
        for ax in axes.ravel()[len(ranked) :]:
            ax.axis("off")
        fig.suptitle(f"{name}: the worst {len(ranked)} episodes (dashed: oblivious people, dotted: aware)")
        fig.tight_layout()
        paths.append(out / f"worst_{name}.png")
        fig.savefig(paths[-1], dpi=80)
        plt.close(fig)
    return paths
