"""``report.html``: one self-contained page per run (images inline, no network), for people who would
rather look than read: the result, the trajectory, measured / policy / safe speed over time with the
safety modes, latency histograms per stage, and the supervisor's interventions with their reason codes.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from genba_bringup.report import MODE_COLOURS, format_summary

SPEED_TOPICS = {"measured": "/odom", "policy": "/policy/cmd_vel", "safe": "/cmd_vel_safe"}


@dataclass
class RunSeries:
    """Time series read back from a run's recording (seconds since its first message)."""

    speed: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)  # name -> (t, v)
    modes: list[tuple[float, str]] = field(default_factory=list)  # (t, mode) at each change


def read_recording(path: Path) -> RunSeries:
    """Speeds and safety modes from the run's MCAP."""
    from rosbags.highlevel import AnyReader
    from rosbags.typesys import Stores, get_typestore

    out = RunSeries()
    wanted = set(SPEED_TOPICS.values()) | {"/safety/mode"}
    with AnyReader([path], default_typestore=get_typestore(Stores.ROS2_KILTED)) as reader:
        conns = [c for c in reader.connections if c.topic in wanted]
        t0 = None
        for c, t_ns, raw in reader.messages(connections=conns):
            t0 = t_ns if t0 is None else t0
            t, msg = (t_ns - t0) * 1e-9, reader.deserialize(raw, c.msgtype)
            if c.topic == "/safety/mode":
                out.modes.append((t, msg.data))
                continue
            name = next(k for k, v in SPEED_TOPICS.items() if v == c.topic)
            v = msg.twist.twist.linear.x if c.topic == "/odom" else msg.twist.linear.x
            ts, vs = out.speed.setdefault(name, ([], []))
            ts.append(t)
            vs.append(v)
    return out


def intervention_segments(audit_path: Path, limit: int = 200) -> list[dict]:
    """The audit log's altered commands, runs of the same mode and reasons merged into one row."""
    rows: list[dict] = []
    if not audit_path.exists():
        return rows
    t0 = None
    for line in audit_path.read_text().splitlines():
        try:
            e = json.loads(line)
        except json.JSONDecodeError:
            continue
        t0 = e["t"] if t0 is None else t0
        key = (e.get("mode"), tuple(e.get("reasons", ())))
        if rows and rows[-1]["key"] == key and e.get("event") == rows[-1]["event"]:
            r = rows[-1]
            r["end_s"], r["n"] = e["t"] - t0, r["n"] + 1
            r["max_cut_mps"] = max(r["max_cut_mps"], _cut(e))
            continue
        rows.append(
            {
                "key": key,
                "event": e.get("event"),
                "start_s": e["t"] - t0,
                "end_s": e["t"] - t0,
                "n": 1,
                "mode": e.get("mode"),
                "reasons": list(e.get("reasons", ())),
                "max_cut_mps": _cut(e),
            }
        )
    return rows[:limit]


def _cut(e: dict) -> float:
    """How much the supervisor took off the commanded speed (m/s)."""
    cin, cout = e.get("cmd_in") or [0.0, 0.0], e.get("cmd_out") or [0.0, 0.0]
    return abs(cin[0]) - abs(cout[0])


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def speed_figure(series: RunSeries) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 3.2))
    end = max((ts[-1] for ts, _ in series.speed.values() if ts), default=1.0)
    for (t, mode), nxt in zip(series.modes, [*series.modes[1:], (end, "")], strict=False):
        ax.axvspan(t, nxt[0], color=MODE_COLOURS.get(mode, "#999999"), alpha=0.15, lw=0)
    styles = {"measured": ("k", 1.6), "policy": ("#4575b4", 1.0), "safe": ("#d73027", 1.0)}
    for name, (ts, vs) in series.speed.items():
        colour, lw = styles[name]
        ax.plot(ts, vs, color=colour, lw=lw, label=f"{name} ({SPEED_TOPICS[name]})")
    ax.set_xlabel("time since the recording started (s)")
    ax.set_ylabel("forward speed (m/s)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.grid(alpha=0.3)
    return _png(fig)


def latency_figure(samples: dict[str, list[float]]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = [s for s, v in samples.items() if v] or list(samples)
    fig, axes = plt.subplots(1, max(1, len(stages)), figsize=(10, 2.6), squeeze=False)
    for ax, stage in zip(axes[0], stages, strict=False):
        ax.hist(samples.get(stage) or [0.0], bins=30, color="#4575b4")
        ax.set_title(stage, fontsize=9)
        ax.set_xlabel("ms since the sensor stamp", fontsize=8)
    return _png(fig)


def render(
    summary: dict,
    series: RunSeries,
    latency_samples: dict[str, list[float]],
    segments: list[dict],
    trajectory_png: bytes | None,
) -> str:
    """The page's HTML."""
    ep = summary.get("episode") or {}
    ok = ep.get("status") == "goal_reached" and ep.get("collisions", 1) == 0
    rows = "\n".join(
        f"<tr><td>{r['start_s']:.2f}-{r['end_s']:.2f}</td><td>{html.escape(str(r['event']))}</td>"
        f"<td style='color:{MODE_COLOURS.get(r['mode'], '#000')}'>{html.escape(str(r['mode']))}</td>"
        f"<td>{html.escape(', '.join(r['reasons']) or '-')}</td><td>{r['n']}</td>"
        f"<td>{r['max_cut_mps']:.2f}</td></tr>"
        for r in segments
    )
    traj = (
        f'<img alt="trajectory" src="data:image/png;base64,{base64.b64encode(trajectory_png).decode()}">'
        if trajectory_png
        else "<p>(no trajectory)</p>"
    )
    name = html.escape(str(ep.get("scenario", "?")))
    legend = ", ".join(f"<span style='color:{c}'>{m}</span>" for m, c in MODE_COLOURS.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>genba run: {name}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:1em auto;color:#222}}
h1{{font-size:1.4em}} .ok{{color:#1a9850}} .bad{{color:#d73027}} img{{max-width:100%}}
table{{border-collapse:collapse;font-size:.85em}} td,th{{border:1px solid #ccc;padding:2px 6px}}
pre{{background:#f6f6f6;padding:.6em}}</style></head><body>
<h1>genba run: {name} <span class="{"ok" if ok else "bad"}">
{html.escape(str(ep.get("status", "no result")))}</span></h1>
<pre>{html.escape(format_summary(summary))}</pre>
<h2>Trajectory</h2>{traj}
<h2>Speed: measured, asked for by the policy, let through by the supervisor</h2>
<p>Background: the safety mode ({legend}).</p>
<img alt="speed over time" src="data:image/png;base64,{speed_figure(series)}">
<h2>Latency, sensor stamp to each stage</h2>
<img alt="latency histograms" src="data:image/png;base64,{latency_figure(latency_samples)}">
<h2>Interventions</h2>
<p>{len(segments)} runs of altered commands (consecutive ones with the same mode and reasons merged), from
<code>safety_audit.jsonl</code>; "cut" is the most the supervisor took off the policy's speed.</p>
<table><tr><th>time (s)</th><th>event</th><th>mode</th><th>reason codes</th><th>commands</th>
<th>max cut (m/s)</th></tr>
{rows}
</table></body></html>
"""


def write_report(run_dir: Path, summary: dict, latency_samples: dict[str, list[float]]) -> Path:
    """``run_dir/report.html`` from the run folder's recording, audit log and trajectory plot."""
    rec = run_dir / "recording"
    series = read_recording(rec) if rec.exists() else RunSeries()
    png = run_dir / "trajectory.png"
    page = render(
        summary,
        series,
        latency_samples,
        intervention_segments(run_dir / "safety_audit.jsonl"),
        png.read_bytes() if png.exists() else None,
    )
    out = run_dir / "report.html"
    out.write_text(page)
    return out
