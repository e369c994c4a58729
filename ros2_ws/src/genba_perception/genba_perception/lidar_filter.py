"""The LD06/LD19 near-range noise filter, as LDRobot's driver applies it by default (ldlidar_stl_ros2,
``Tofbf::NearFilter``).

Over one revolution, the returns closer than ``max_range_m`` are grouped: neighbours in angle (at
most two sample steps apart, a step being the motor speed over the 4500 Hz sample rate) whose range
differs by at most 3 % belong together, and the group that wraps past 360 degrees joins the first
one. A group of more than 15 returns is kept. A group of fewer than ``min_points`` returns is
dropped unless its mean intensity reaches ``single_intensity``; any other group is dropped when its
mean intensity is at most ``low_intensity``. Dropped returns become "no return".

The trade-off: dust, sunlight speckle and edge points stop being phantom obstacles, and so do real
thin objects seen by one or two beams (a chair leg, a table's cable) when they reflect weakly.
``noise_filter: false`` turns it off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genba_perception.lidar_protocols import LD_SAMPLE_RATE_HZ

KEEP_GROUP_POINTS = 15  # a group larger than this is always kept
RANGE_JUMP = 0.03  # relative range change that starts a new group


@dataclass(frozen=True)
class NoiseFilterConfig:
    max_range_m: float = 5.0  # returns beyond this are never filtered
    min_points: int = 3  # groups smaller than this need single_intensity to stay
    single_intensity: float = 220.0
    low_intensity: float = 15.0  # groups at or below this mean intensity are dropped


def near_filter_keep(angles_deg: np.ndarray, dist_m: np.ndarray, intensity: np.ndarray, speed_dps: float,
                     cfg: NoiseFilterConfig | None = None) -> np.ndarray:
    """Boolean mask over one revolution's returns: True where a return is kept."""
    cfg = cfg or NoiseFilterConfig()
    angles = np.asarray(angles_deg, dtype=np.float64)
    dist = np.asarray(dist_m, dtype=np.float64)
    inten = np.asarray(intensity, dtype=np.float64)
    keep = np.ones(angles.size, bool)
    near = np.flatnonzero(dist < cfg.max_range_m)
    if near.size == 0:
        return keep
    max_gap_deg = speed_dps / LD_SAMPLE_RATE_HZ * 2.0
    order = near[np.argsort(angles[near], kind="stable")]
    groups: list[list[int]] = []
    last_angle, last_dist = -10.0, 0.0
    for i in order:
        if abs(angles[i] - last_angle) > max_gap_deg or abs(dist[i] - last_dist) > last_dist * RANGE_JUMP:
            groups.append([])
        groups[-1].append(int(i))
        last_angle, last_dist = angles[i], dist[i]
    first, last = groups[0][0], groups[-1][-1]
    if len(groups) > 1 and abs(angles[first] + 360.0 - angles[last]) < max_gap_deg \
            and abs(dist[first] - dist[last]) < last_dist * RANGE_JUMP:
        groups[0] = groups.pop() + groups[0]
    for g in groups:
        if len(g) > KEEP_GROUP_POINTS:
            continue
        mean_intensity = float(inten[g].mean())
        if len(g) < cfg.min_points and mean_intensity < cfg.single_intensity:
            keep[g] = False
        elif mean_intensity <= cfg.low_intensity:
            keep[g] = False
    return keep
