"""A map whose origin is rotated or moved, resampled into the odom frame the route plans in."""

import math

import numpy as np

from genba_policy.route import occupancy_in_frame


def test_unrotated_map_is_returned_as_it_is():
    occ = np.zeros((3, 4), np.int8)
    out, xy = occupancy_in_frame(occ, (1.0, 2.0, 0.0), 0.1)
    assert out is occ and xy == (1.0, 2.0)


def test_quarter_turn_puts_each_cell_where_it_belongs():
    res = 0.5
    occ = np.zeros((2, 4), np.int8)  # 4 cells along the map's x, 2 along its y
    occ[0, 3] = 100  # the cell at map-local x 1.5..2.0, y 0..0.5
    out, (ox, oy) = occupancy_in_frame(occ, (10.0, 0.0, math.pi / 2), res)
    assert out.shape == (4, 2) and (ox, oy) == (9.0, 0.0)
    # map-local (1.75, 0.25) rotated by 90 deg about (10, 0): (9.75, 1.75)
    j, i = np.argwhere(out == 100)[0]
    assert (ox + (i + 0.5) * res, oy + (j + 0.5) * res) == (9.75, 1.75)
    assert (out == 0).sum() == 7 and (out == -1).sum() == 0


def test_cells_outside_the_rotated_map_are_unknown():
    occ = np.zeros((10, 10), np.int8)
    out, _ = occupancy_in_frame(occ, (0.0, 0.0, math.pi / 4), 0.1)
    assert (out == -1).any() and (out == 0).sum() > 80
