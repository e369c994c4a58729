"""What a student did before an episode failed: its last commands beside what the teacher would
have commanded in the same states, and where the nearest person was (``genba-policy eval
--trace-failures N``). The way to see what a failure looks like without a viewer: v6's collisions
with people were people walking at the robot's side that the teacher would have backed away from
while they were still 1.1-1.4 m off (models/genba_student_v6.md, "After release")."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Callable

from genba_sim.scenario import Scenario
from genba_sim.simulation import Simulation
from genba_training.episodes import EpisodeResult
from genba_training.teacher import Teacher, person_in_base


@dataclass(frozen=True)
class Step:
    t_s: float
    v_mps: float
    w_radps: float
    teacher_v_mps: float
    teacher_w_radps: float
    # the nearest person in base_link: x, y (m), vx, vy (m/s)
    person: tuple[float, float, float, float] | None


class Tracer:
    """An episode's act that keeps its last ``steps`` steps (Step) as it drives. The commands kept are
    what ``act`` returned: through the supervisor (training/supervised.py), what the student asked for."""

    def __init__(self, sc: Scenario, act: Callable[[Simulation], tuple[float, float]], steps: int) -> None:
        self.teacher, self.act = Teacher(sc), act
        self.steps: deque[Step] = deque(maxlen=steps)

    def __call__(self, sim: Simulation) -> tuple[float, float]:
        v, w = self.act(sim)
        pose = sim.pose()
        sit = self.teacher.situation(pose, sim.time)  # one situation for the teacher's command and its people
        tv, tw = self.teacher.command(sit)
        people = [person_in_base(pose, p) for p in sit.people]
        nearest = min(people, key=lambda p: math.hypot(p[0], p[1]), default=None)
        self.steps.append(Step(round(sim.time, 2), float(v), float(w), tv, tw, nearest))
        return v, w


def format_trace(result: EpisodeResult, steps: list[Step]) -> str:
    """A small table of ``steps``, headed by how ``result`` ended."""
    hit = f" with {result.hit}" if result.hit else ""
    lines = [
        f"{result.name}: {result.status}{hit} at {result.time_s:.1f} s; its last {len(steps)} steps "
        "(student, what the teacher would have done, the nearest person in base_link):",
        "    t s |  v m/s  w rad/s | teacher v    w | person x, y m  (vx, vy m/s)  distance m",
    ]
    for s in steps:
        person = "-"
        if s.person:
            x, y, vx, vy = s.person
            person = f"{x:+5.2f}, {y:+5.2f} ({vx:+5.2f}, {vy:+5.2f})  {math.hypot(x, y):4.2f}"
        lines.append(
            f"  {s.t_s:5.1f} | {s.v_mps:+6.2f} {s.w_radps:+7.2f} | {s.teacher_v_mps:+9.2f} "
            f"{s.teacher_w_radps:+5.2f} | {person}"
        )
    return "\n".join(lines)
