"""Run report: the summary dictionary, its text form, and the trajectory plot over the map."""

from __future__ import annotations

import math
from pathlib import Path

MODE_COLOURS = {"NOMINAL": "#1a9850", "DEGRADED": "#fdae61", "FALLBACK": "#f46d43", "MRM": "#d73027",
                "ESTOP": "#7b3294"}


def format_summary(s: dict) -> str:
    ep = s.get("episode") or {}
    lines = [
        f"scenario        {ep.get('scenario', '?')} (seed {ep.get('seed', '?')})",
        f"result          {ep.get('status', 'no result')}"
        + (f" in {ep['sim_time_s']:.1f} s" if "sim_time_s" in ep else ""),
        f"goal reached    {'yes' if ep.get('status') == 'goal_reached' else 'no'}"
        + (
            f" (final distance {ep['final_distance_to_goal_m']:.2f} m)"
            if "final_distance_to_goal_m" in ep
            else ""
        ),
        f"collisions      {ep.get('collisions', '?')}",
        f"min obstacle    {ep['min_obstacle_distance_m']:.3f} m"
        if ep.get("min_obstacle_distance_m") is not None
        else "min obstacle    n/a",
        f"path length     {ep.get('path_length_m', float('nan')):.2f} m",
        f"interventions   {s.get('safety_interventions', '?')} (mode changes: "
        f"{' -> '.join(m for _, m in s.get('mode_log', [])) or 'none'})",
        "latency (sensor stamp -> stage), ms:",
    ]
    for stage, st in s.get("latency", {}).items():
        if st["n"]:
            lines.append(
                f"  {stage:<12} p50 {st['p50_ms']:7.2f}  p99 {st['p99_ms']:7.2f}  max {st['max_ms']:7.2f}"
                f"  (n={st['n']})"
            )
        else:
            lines.append(f"  {stage:<12} no samples")
    return "\n".join(lines)


def plot_run(
    path: Path, scenario, trajectory: list, mode_segments: list[tuple[float, str]] | None = None
) -> None:
    """PNG of the hall, obstacles, pedestrian paths, and the trajectory coloured by safety mode.

    ``mode_segments`` is a list of (sim time, mode) change points.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon, Rectangle

    fig, ax = plt.subplots(figsize=(9, 9 * scenario.hall_y / scenario.hall_x + 0.8), dpi=110)
    hx, hy = scenario.hall_x / 2, scenario.hall_y / 2
    ax.add_patch(Rectangle((-hx, -hy), 2 * hx, 2 * hy, fill=False, lw=2.5, ec="#555"))
    for b in scenario.obstacles:
        c, s = math.cos(b.yaw), math.sin(b.yaw)
        corners = [
            (b.x + c * dx - s * dy, b.y + s * dx + c * dy)
            for dx, dy in ((b.sx, b.sy), (-b.sx, b.sy), (-b.sx, -b.sy), (b.sx, -b.sy))
        ]
        colour = {"shelf": "#3a5fa8", "pillar": "#d9b800"}.get(b.kind, "#b07a3c")
        ax.add_patch(Polygon(corners, closed=True, fc=colour, ec="k", lw=0.5, alpha=0.85))
    for i, p in enumerate(scenario.pedestrians):
        xs = [w[0] for w in p.waypoints] + [p.waypoints[0][0]]
        ys = [w[1] for w in p.waypoints] + [p.waypoints[0][1]]
        ax.plot(xs, ys, ls="--", color="#c0392b", lw=1, label="pedestrian path" if i == 0 else None)
    if trajectory:
        segs = mode_segments or [(0.0, "NOMINAL")]

        def mode_at(t: float) -> str:
            m = segs[0][1]
            for ts, name in segs:
                if ts <= t:
                    m = name
            return m

        seen = set()
        for a, b in zip(trajectory[:-1], trajectory[1:], strict=False):
            m = mode_at(a[0])
            ax.plot(
                [a[1], b[1]],
                [a[2], b[2]],
                color=MODE_COLOURS.get(m, "k"),
                lw=2.2,
                label=f"robot ({m})" if m not in seen else None,
            )
            seen.add(m)
    ax.plot(scenario.start.x, scenario.start.y, "o", ms=10, color="#2c7bb6", label="start")
    ax.plot(scenario.goal.x, scenario.goal.y, "*", ms=16, color="#1a9850", label="goal")
    ax.add_patch(
        plt.Circle(
            (scenario.goal.x, scenario.goal.y), scenario.goal_tolerance_m, fill=False, ls=":", ec="#1a9850"
        )
    )
    ax.set_xlim(-hx - 0.5, hx + 0.5)
    ax.set_ylim(-hy - 0.5, hy + 0.5)
    ax.set_aspect("equal")
    ax.set_xlabel("x [m] (odom)")
    ax.set_ylabel("y [m] (odom)")
    ax.set_title(f"genba run: {scenario.name} (seed {scenario.seed})")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
