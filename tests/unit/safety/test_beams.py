"""Where an unknown ray leaves the footprint (beams._exit_distance), from a laser that is not at
the footprint's centre, along the axes and between them, without a floating-point warning."""

import math
import warnings

import numpy as np
import pytest

from genba_safety.beams import _exit_distance
from genba_safety.zones import Footprint

FP = Footprint(front_m=0.5, rear_m=0.3, half_width_m=0.25)
LX, LY = 0.2, -0.05  # the laser, off centre


@pytest.mark.parametrize("cos, sin, expected", [
    (1.0, 0.0, 0.3),  # forward to the front edge
    (-1.0, 0.0, 0.5),  # back to the rear edge
    (0.0, 1.0, 0.3),  # left
    (0.0, -1.0, 0.2),  # right
    (math.sqrt(0.5), math.sqrt(0.5), 0.3 / math.sqrt(0.5)),  # 45 degrees: the left edge first
    (-math.sqrt(0.5), -math.sqrt(0.5), 0.2 / math.sqrt(0.5)),  # 225 degrees: the right edge first
    (0.96, 0.28, 0.3 / 0.96),  # shallow: the front edge first
])
def test_each_ray_leaves_the_rectangle_where_it_crosses_the_nearest_edge(cos, sin, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a division by a zero direction must stay silent
        d = _exit_distance(LX, LY, np.array([cos]), np.array([sin]), FP)
    assert d == pytest.approx([expected])


def test_every_exit_point_is_on_the_rectangles_edge():
    ang = np.linspace(-math.pi, math.pi, 73)
    d = _exit_distance(LX, LY, np.cos(ang), np.sin(ang), FP)
    x, y = LX + d * np.cos(ang), LY + d * np.sin(ang)
    on_edge = np.minimum.reduce([np.abs(x - FP.front_m), np.abs(x + FP.rear_m),
                                 np.abs(np.abs(y) - FP.half_width_m)])
    assert on_edge.max() < 1e-9
    assert (x <= FP.front_m + 1e-9).all() and (x >= -FP.rear_m - 1e-9).all()
    assert (np.abs(y) <= FP.half_width_m + 1e-9).all()
