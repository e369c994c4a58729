"""The student's structure: its command is the teacher's steer() of the decision it predicts, a
left-right mirror turns the motion input round with the scan, and an ensemble averages its members'
decisions."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from genba_policy.observation import INPUT_NAMES, SCAN_BINS
from genba_training.student import (
    BIN_ANGLES,
    CANDIDATES,
    N_BEARING_BINS,
    Ensemble,
    Student,
    bearing_bin,
    bearing_of,
    decision_loss,
    load_student,
    median_class,
    mirror,
    steer_torch,
)
from genba_training.teacher import AUX_NAMES, MAX_SPEED_MPS, steer


@settings(max_examples=200, deadline=None)
@given(st.floats(-math.pi, math.pi), st.floats(0.0, MAX_SPEED_MPS), st.sampled_from(CANDIDATES))
def test_the_students_steer_is_the_teachers(bearing, v_path, v_people):
    v, w = steer(bearing, v_path, v_people, 0.7)
    out = steer_torch(torch.tensor([math.cos(bearing)]), torch.tensor([math.sin(bearing)]),
                      torch.tensor([v_path]), torch.tensor([v_people]))[0]
    assert abs(float(out[0]) - float(v)) < 1e-5 and abs(float(out[1]) - float(w)) < 1e-4


def _head_bias(bearing: float, v_path: float, speed_class: int) -> torch.Tensor:
    """Head biases that answer, whatever the features: the path in ``bearing``'s bin, path
    speed ``v_path``, people allow CANDIDATES[speed_class]."""
    bias = torch.full((N_BEARING_BINS + 1 + len(CANDIDATES),), -10.0)
    bias[int(bearing_bin(torch.tensor([math.cos(bearing)]), torch.tensor([math.sin(bearing)]))[0])] = 10.0
    bias[N_BEARING_BINS] = math.log(v_path / (MAX_SPEED_MPS - v_path))
    bias[N_BEARING_BINS + 1 + speed_class] = 10.0
    return bias


def _target(bearing, v_path, v_people, n=8):
    t = torch.zeros(n, 2 + len(AUX_NAMES))
    t[:, 2 + AUX_NAMES.index("path_cos")] = math.cos(bearing)
    t[:, 2 + AUX_NAMES.index("path_sin")] = math.sin(bearing)
    t[:, 2 + AUX_NAMES.index("path_speed")] = v_path / MAX_SPEED_MPS
    t[:, 2 + AUX_NAMES.index("people_speed")] = v_people / MAX_SPEED_MPS
    return t


def test_a_head_that_predicts_the_decision_gives_the_teachers_command_and_a_low_loss():
    """Set the head to answer one decision exactly: the command is the teacher's for it, and the
    loss is lower than for any other choice of the people's speed."""
    torch.manual_seed(0)
    model = Student().eval()
    f = torch.ones(8, model.head.in_features)
    bearing, v_path = BIN_ANGLES[N_BEARING_BINS // 2 + 2], 0.5  # a bin's centre: 28.8 degrees left
    losses = []
    for k, v_people in enumerate(CANDIDATES):
        with torch.no_grad():
            model.head.weight.zero_()
            model.head.bias.copy_(_head_bias(bearing, v_path, k))
            cmd = model.command(f)[0]
            losses.append(float(decision_loss(model, f, _target(bearing, v_path, CANDIDATES[2]))))
        v, w = steer(bearing, v_path, v_people, 0.7)
        assert abs(float(cmd[0]) - float(v)) < 1e-4 and abs(float(cmd[1]) - float(w)) < 1e-4
    assert int(np.argmin(losses)) == 2 and losses[2] < 1e-3


def test_the_speed_people_allow_is_the_median_candidate_not_the_most_likely():
    """Fastest first: 40% "full speed", 35% "stop", 25% "back off". The most likely is full speed,
    but it is more likely than not that the teacher would be at "stop" or slower."""
    p = torch.zeros(1, len(CANDIDATES))
    p[0, 0], p[0, -2], p[0, -1] = 0.40, 0.35, 0.25
    assert int(median_class(p)[0]) == len(CANDIDATES) - 2
    p = torch.zeros(1, len(CANDIDATES))
    p[0, 0], p[0, 1], p[0, -1] = 0.55, 0.05, 0.40
    assert int(median_class(p)[0]) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=len(CANDIDATES), max_size=len(CANDIDATES))
       .filter(lambda x: sum(x) > 1e-3))
def test_the_median_class_has_half_the_probability_on_either_side(weights):
    p = torch.tensor([weights], dtype=torch.float64)
    p = p / p.sum()
    i = int(median_class(p)[0])
    assert float(p[0, i:].sum()) >= 0.5 - 1e-9      # at least half as slow or slower
    assert float(p[0, i + 1:].sum()) < 0.5 + 1e-9   # less than half strictly slower


def test_a_mirror_reverses_the_sectors_and_the_sign_of_tangential_motion():
    b = 4
    inputs = [torch.rand(b, 3, 48, 64), torch.rand(b, SCAN_BINS), torch.rand(b, SCAN_BINS), torch.rand(b, 2),
              torch.rand(b, 3), torch.rand(b, 3), torch.rand(b, 2, SCAN_BINS)]
    assert len(inputs) == len(INPUT_NAMES)
    label = torch.rand(b, 2 + len(AUX_NAMES))
    out, _ = mirror(inputs, label, 1.0, torch.Generator().manual_seed(0))
    motion = out[INPUT_NAMES.index("motion")]
    assert torch.equal(motion[:, 0], inputs[-1][:, 0].flip(1))
    assert torch.equal(motion[:, 1], -inputs[-1][:, 1].flip(1))
    assert torch.equal(out[1], inputs[1].flip(1))


def _inputs(n=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [
        torch.rand(n, 3, 48, 64, generator=g),
        torch.rand(n, SCAN_BINS, generator=g),
        torch.rand(n, SCAN_BINS, generator=g),
        torch.rand(n, 2, generator=g),
        torch.rand(n, 3, generator=g),
        torch.rand(n, 3, generator=g),
        torch.rand(n, 2, SCAN_BINS, generator=g),
    ]


def _decided(speed_class: int) -> Student:
    """A student whose head answers "path straight ahead, path speed 0.5 m/s, and people
    allow CANDIDATES[speed_class]" whatever it sees."""
    m = Student().eval()
    with torch.no_grad():
        m.head.weight.zero_()
        m.head.bias.copy_(_head_bias(0.0, 0.5, speed_class))
    return m


def test_a_bin_is_centred_on_straight_ahead_and_bins_cover_the_circle():
    assert BIN_ANGLES[N_BEARING_BINS // 2] == pytest.approx(0.0, abs=1e-9)
    a = torch.linspace(-math.pi + 1e-4, math.pi - 1e-4, 2001)
    k = bearing_bin(torch.cos(a), torch.sin(a))
    assert int(k.min()) == 0 and int(k.max()) == N_BEARING_BINS - 1
    centre = torch.tensor(BIN_ANGLES)[k]
    assert (
        float(torch.abs(torch.atan2(torch.sin(a - centre), torch.cos(a - centre))).max())
        <= math.pi / N_BEARING_BINS + 1e-4
    )


def test_the_bearing_picks_a_side_instead_of_averaging_left_and_right():
    """Half the probability 43 degrees left, half 43 degrees right (an obstacle straight ahead): the
    bearing is one of the two, not straight into the obstacle as the average of unit vectors is."""
    left, right = N_BEARING_BINS // 2 + 3, N_BEARING_BINS // 2 - 3
    q = torch.zeros(1, N_BEARING_BINS)
    q[0, left], q[0, right] = 0.51, 0.49
    b = bearing_of(q)[0]
    assert math.atan2(float(b[1]), float(b[0])) == pytest.approx(BIN_ANGLES[left], abs=1e-5)
    mean = q[0, left] * torch.tensor([math.cos(BIN_ANGLES[left]), math.sin(BIN_ANGLES[left])]) + q[
        0, right
    ] * torch.tensor([math.cos(BIN_ANGLES[right]), math.sin(BIN_ANGLES[right])])
    assert abs(math.atan2(float(mean[1]), float(mean[0]))) < math.radians(2)  # what regression would steer


def test_the_bearing_between_two_bins_lies_between_their_centres():
    k = N_BEARING_BINS // 2 + 1
    q = torch.zeros(1, N_BEARING_BINS)
    q[0, k], q[0, k + 1] = 0.6, 0.4
    a = math.atan2(*reversed([float(x) for x in bearing_of(q)[0]]))
    assert BIN_ANGLES[k] < a < (BIN_ANGLES[k] + BIN_ANGLES[k + 1]) / 2


def test_an_ensemble_of_one_is_the_student():
    torch.manual_seed(0)
    m = Student().eval()
    x = _inputs()
    with torch.no_grad():
        (cmd, ood), (ecmd, eood) = m(*x), Ensemble([m])(*x)
    assert torch.allclose(cmd, ecmd, atol=1e-5) and torch.allclose(ood, eood)


def test_an_ensemble_split_evenly_between_driving_on_and_backing_off_backs_off():
    """Half the probability on full speed, half on backing off: the median is the slower."""
    x = _inputs()
    fast, back = _decided(0), _decided(len(CANDIDATES) - 1)
    with torch.no_grad():
        v_fast = fast(*x)[0][:, 0]
        cmd, ood = Ensemble([fast, back])(*x)
        oods = torch.cat([fast(*x)[1], back(*x)[1]], 1)
    assert torch.allclose(v_fast, torch.full_like(v_fast, 0.5), atol=1e-3)
    assert torch.allclose(cmd[:, 0], torch.full_like(cmd[:, 0], CANDIDATES[-1]))
    assert torch.equal(ood[:, 0], oods.amax(1))  # the most doubtful member speaks for the ensemble


def test_a_checkpoint_loads_as_what_was_saved_and_a_bad_one_is_named(tmp_path):
    torch.manual_seed(0)
    x = _inputs()
    for model in (Student().eval(), Ensemble([Student(), Student()]).eval()):
        torch.save(model.state_dict(), tmp_path / "student.pt")
        loaded = load_student(tmp_path / "student.pt")
        assert type(loaded) is type(model) and not loaded.training
        with torch.no_grad():
            assert torch.equal(loaded(*x)[0], model(*x)[0])
    (tmp_path / "junk.pt").write_text("not a checkpoint")
    for path, what in (
        (tmp_path / "junk.pt", "not a student checkpoint"),
        (tmp_path / "none.pt", "not found"),
    ):
        with pytest.raises(ValueError, match=what) as e:
            load_student(path)
        assert str(path) in str(e.value) and "\n" not in str(e.value)
