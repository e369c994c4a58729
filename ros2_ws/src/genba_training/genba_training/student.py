"""The distilled student: camera + LiDAR + odometry + goal (and the route point toward it) -> (v, w)
and an OOD score.

About 100k parameters (distill writes an Ensemble of three, about 300k: see Ensemble). The OOD score
is the larger of two Mahalanobis distances from the training data, each squashed to [0, 1] and
calibrated so that OOD_QUANTILE of training samples score below OOD_CALIBRATION (the supervisor's
default threshold is 0.8): one of the penultimate features together with input statistics
(per-channel image mean and spread, scan mean, spread and fraction of sectors with nothing in range), one
of the input statistics alone. The statistics are what make a black camera or a LiDAR that sees
nothing stand out; alone they stay clear of the heavy tail of the 73-dimensional distance, in which
a black camera was only just above the threshold (genba_student_v2 before this split: 27% of black
frames flagged).

Regularised against learning scenes by heart: the student fitted the teacher's yielding on its
training scenarios but not on new ones, while its auxiliary estimate of where the person is held up
on both (models/genba_student_v4.md, "How it got here"). So the camera's features are dropped for
IMAGE_DROPOUT of the training samples (the LiDAR must carry the decision), the fused layer has
dropout FUSE_DROPOUT, and the optimiser decays weights (AdamW, WEIGHT_DECAY). And it meets far
more crossings than the episodes hold: training adds a synthetic person to recorded states, labelled
by the teacher's own rule (augment.py).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

from genba_policy.observation import INPUT_NAMES
from genba_training.augment import N_LABEL, add_person
from genba_training.teacher import (
    AUX_LATERAL,
    AUX_NAMES,
    BACK_OFF_MPS,
    LOOKAHEAD_M,
    MAX_SPEED_MPS,
    MAX_W_RADPS,
    MIN_STEER_MPS,
    STEER_GAIN,
    TURN_RAD,
    TURN_RADPS,
    candidate_speeds,
)

V_MAX, W_MAX = 0.8, 1.5
OOD_CALIBRATION = 0.8
OOD_QUANTILE = 0.995  # per detector: together they flag at most 1% of the training samples
N_STATS = 9  # image mean x3, image std x3, scan mean, scan std, fraction of empty sectors


CANDIDATES = tuple(float(c) for c in candidate_speeds(MAX_SPEED_MPS))


def steer_torch(cos_a, sin_a, v_path, v_people):
    """teacher.steer in torch (exports to plain ONNX): [B, 2] commands from the path bearing's cosine
    and sine, the path speed and the speed people allow."""
    v = torch.minimum(v_path, v_people)
    w = torch.clamp(
        STEER_GAIN * torch.clamp(v, min=MIN_STEER_MPS) * sin_a / LOOKAHEAD_M, -MAX_W_RADPS, MAX_W_RADPS
    )
    turn = cos_a < math.cos(TURN_RAD)
    back = v_people < 0.0
    zero = torch.zeros_like(v)
    v = torch.where(back, v_people, torch.where(turn, zero, v))
    w = torch.where(
        back, zero, torch.where(turn, torch.where(sin_a >= 0, zero + TURN_RADPS, zero - TURN_RADPS), w)
    )
    return torch.stack([v, w], 1)


def unit(xy):
    """[B, 2] rows scaled to unit length (a zero row stays near zero instead of dividing by it)."""
    return xy / torch.sqrt(xy[:, 0:1] ** 2 + xy[:, 1:2] ** 2 + 1e-6)


def median_class(p):
    """[B] index of the median of ordered classes (candidate speeds, fastest first) under the
    probabilities ``p`` [B, C]: the slowest candidate i with P(speed <= candidate i) >= 0.5. Unlike
    the most likely class, it does not jump from "drive on" to "back off" when two far-apart
    candidates swap places by a hair, and it is the same in torch and ONNX Runtime unless a
    cumulative probability sits on 0.5 to within rounding. With genba_student_v5's weights on the
    selection seeds: 93 -> 98 of 120 in torch, 95 -> 98 in ONNX; a student retrained with it did
    worse on the seeds kept apart (models/genba_student_v5.md, "After release")."""
    at_most = torch.flip(torch.cumsum(torch.flip(p, [1]), 1), [1])  # P(speed <= candidate i)
    return (at_most >= 0.5).long().sum(1) - 1


# The path bearing as a choice of 14.4-degree bins, one centred on straight ahead: where the teacher
# goes round an obstacle on either side, a regression averages the two into the obstacle; a choice
# picks one (the shipped model's card, models/).
N_BEARING_BINS = 25
BIN_ANGLES = [-math.pi + (k + 0.5) * 2 * math.pi / N_BEARING_BINS for k in range(N_BEARING_BINS)]
_BIN_VECTORS = torch.tensor([[math.cos(a), math.sin(a)] for a in BIN_ANGLES], dtype=torch.float32)


def bearing_bin(cos_a, sin_a):
    """[B] the bin of the bearing with cosine ``cos_a`` and sine ``sin_a``."""
    a = torch.atan2(sin_a, cos_a)
    return torch.clamp(((a + math.pi) / (2 * math.pi / N_BEARING_BINS)).long(), 0, N_BEARING_BINS - 1)


def bearing_of(q):
    """[B, 2] unit bearing from bin probabilities ``q`` [B, N]: the most likely bin, refined by its
    two neighbours' weights. Picks a side round an obstacle instead of averaging left and right."""
    k = torch.argmax(q, 1, keepdim=True)
    idx = torch.cat([(k - 1) % N_BEARING_BINS, k, (k + 1) % N_BEARING_BINS], 1)  # [B, 3]
    w = torch.gather(q, 1, idx)
    return unit((w.unsqueeze(2) * _BIN_VECTORS[idx]).sum(1))


class CircularConv1d(nn.Module):
    """Conv1d over a full circle of LiDAR sectors: the ends wrap round. Padded by slicing, which
    exports to plain ONNX Slice/Concat."""

    def __init__(self, c_in: int, c_out: int, k: int, stride: int = 1) -> None:
        super().__init__()
        self.pad = k // 2
        self.conv = nn.Conv1d(c_in, c_out, k, stride=stride)

    def forward(self, x):
        return self.conv(torch.cat([x[..., -self.pad :], x, x[..., : self.pad]], -1))


IMAGE_DROPOUT = 0.3  # training only: fraction of samples whose camera features are zeroed
FUSE_DROPOUT = 0.1
WEIGHT_DECAY = 1e-3


class Student(nn.Module):
    def __init__(self, feat: int = 64) -> None:
        super().__init__()
        self.drop_gen = torch.Generator().manual_seed(0)
        self.image = nn.Sequential(
            nn.Conv2d(3, 16, 5, stride=2, padding=2),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            # keep a coarse layout (left / centre / right, near / far): where a person is matters
            nn.AdaptiveAvgPool2d((2, 4)),
            nn.Flatten(),
            nn.Linear(256, 64),
            nn.ReLU(),
        )
        # scan, scan_prev, their difference and the tracked motion (radial, tangential) as five
        # channels over bearing; circular convolutions see a person the same way at every bearing
        # (a dense layer must learn each bearing apart)
        self.scan = nn.Sequential(
            CircularConv1d(5, 16, 5),
            nn.ReLU(),
            CircularConv1d(16, 32, 5, stride=2),
            nn.ReLU(),
            CircularConv1d(32, 32, 3, stride=2),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(32 * 16, 64),
            nn.ReLU(),
        )
        self.state = nn.Sequential(nn.Linear(8, 32), nn.ReLU())  # v, w, goal, route point
        self.fuse = nn.Sequential(
            nn.Linear(160, 128), nn.ReLU(), nn.Dropout(FUSE_DROPOUT), nn.Linear(128, feat), nn.ReLU()
        )
        # the teacher's decision, not its command: where the path leads (cos, sin), the path
        # speed, and which of the teacher's speeds people allow (a choice, not a regression: see command)
        self.head = nn.Linear(feat, N_BEARING_BINS + 1 + len(CANDIDATES))
        self.register_buffer("candidates", torch.tensor(CANDIDATES, dtype=torch.float32))
        # training only (not in the ONNX graph): predicts the teacher's privileged quantities
        self.aux = nn.Linear(feat, len(AUX_NAMES))
        self.register_buffer("feat_mean", torch.zeros(feat + N_STATS))
        self.register_buffer("feat_precision", torch.eye(feat + N_STATS))
        self.register_buffer("ood_scale", torch.tensor(1.0))
        self.register_buffer("stats_mean", torch.zeros(N_STATS))
        self.register_buffer("stats_precision", torch.eye(N_STATS))
        self.register_buffer("stats_scale", torch.tensor(1.0))

    def features(self, image, scan, scan_prev, state, goal, route, motion, keep_image=None):
        scans = torch.cat([torch.stack([scan, scan_prev, scan - scan_prev], 1), motion], 1)
        img = self.image(image)
        if self.training and IMAGE_DROPOUT > 0:
            # modality dropout: the camera's features gone for some samples, so the LiDAR must carry
            # the decision too (and the camera cannot serve to recognise the scene and recall it)
            keep = (torch.rand(img.shape[0], 1, generator=self.drop_gen) >= IMAGE_DROPOUT).float()
            img = img * keep
        if keep_image is not None:  # training only: samples whose camera cannot see what the label rests on
            img = img * keep_image[:, None].float()
        return self.fuse(
            torch.cat([img, self.scan(scans), self.state(torch.cat([state, goal, route], 1))], 1)
        )

    @staticmethod
    def input_stats(image, scan):
        empty = (scan >= 0.999).float().mean(1, keepdim=True)  # sectors with nothing within range
        return torch.cat(
            [
                image.mean((2, 3)),
                image.std((2, 3)),
                scan.mean(1, keepdim=True),
                scan.std(1, keepdim=True),
                empty,
            ],
            1,
        )

    def ood_vector(self, image, scan, scan_prev, state, goal, route, motion):
        return torch.cat(
            [
                self.features(image, scan, scan_prev, state, goal, route, motion),
                self.input_stats(image, scan),
            ],
            1,
        )

    def command(self, f):
        """(v, w) as the teacher's steer() makes them from the predicted decision. The speed people
        allow is one of the teacher's candidates, not a regression: a regression on the command
        averaged the teacher's "drive on to clear their way" and "stop" or "back off" into creeping
        into people (models/genba_student_v4.md, "How it got here")."""
        path, nav, p = self.decision(f)
        return steer_torch(path[:, 0], path[:, 1], nav * MAX_SPEED_MPS, self.candidates[median_class(p)])

    def decision(self, f):
        """The head's decision: the path bearing as a unit vector [B, 2], the path speed as a
        fraction of the top speed [B], the probabilities of the candidate speeds [B, C]."""
        q, nav, p = self.decision_probs(f)
        return bearing_of(q), nav, p

    def decision_probs(self, f):
        """The head's decision as probabilities: of each bearing bin [B, N_BEARING_BINS], the
        path speed fraction [B], of each candidate speed [B, C]."""
        h = self.head(f)
        return (
            torch.softmax(h[:, :N_BEARING_BINS], 1),
            torch.sigmoid(h[:, N_BEARING_BINS]),
            torch.softmax(h[:, N_BEARING_BINS + 1 :], 1),
        )

    def ood(self, f, stats):
        """[B, 1] OOD score in [0, 1] from the penultimate features ``f`` and the input statistics."""
        d = torch.cat([f, stats], 1) - self.feat_mean
        d2 = (d @ self.feat_precision * d).sum(1, keepdim=True)
        ds = stats - self.stats_mean
        d2s = (ds @ self.stats_precision * ds).sum(1, keepdim=True)
        return torch.maximum(1.0 - torch.exp(-d2 * self.ood_scale), 1.0 - torch.exp(-d2s * self.stats_scale))

    def forward(self, image, scan, scan_prev, state, goal, route, motion):
        f = self.features(image, scan, scan_prev, state, goal, route, motion)
        return self.command(f), self.ood(f, self.input_stats(image, scan))

    @torch.no_grad()
    def calibrate_ood(self, batches) -> None:
        feats = torch.cat([self.ood_vector(*b) for b in batches])
        for x, mean_buf, prec_buf, scale_buf in (
            (feats, self.feat_mean, self.feat_precision, self.ood_scale),
            (feats[:, -N_STATS:], self.stats_mean, self.stats_precision, self.stats_scale),
        ):
            mean = x.mean(0)
            cov = torch.cov((x - mean).T) + 1e-3 * torch.eye(x.shape[1])
            prec = torch.linalg.inv(cov)
            d = x - mean
            q = torch.quantile((d @ prec * d).sum(1), OOD_QUANTILE)
            mean_buf.copy_(mean)
            prec_buf.copy_(prec)
            scale_buf.copy_(torch.tensor(-math.log(1.0 - OOD_CALIBRATION)) / q)


class Ensemble(nn.Module):
    """Students whose decisions are averaged: the probabilities of the path bearing's bins (whose
    most likely bin, refined by its neighbours, then gives the bearing), the path speed and
    the probabilities of the candidate speeds (whose median then picks the speed), then steered as
    one (teacher.steer). The OOD score is the largest of the members'. Same inputs and
    outputs as a Student, so it exports and runs the same way.

    Why: a single student's closed-loop success moved 5-10 points with its training seed alone
    (models/genba_student_v5.md, "After release"); averaging evens out where each one's decisions
    happen to fall."""

    def __init__(self, members: list[Student]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one student")
        self.members = nn.ModuleList(members)

    def forward(self, image, scan, scan_prev, state, goal, route, motion):
        stats = Student.input_stats(image, scan)
        bearings, path_speeds, probs, oods = [], [], [], []
        for m in self.members:
            f = m.features(image, scan, scan_prev, state, goal, route, motion)
            q, path_speed, p = m.decision_probs(f)
            bearings.append(q)
            path_speeds.append(path_speed)
            probs.append(p)
            oods.append(m.ood(f, stats))
        path = bearing_of(torch.stack(bearings).mean(0))
        v_path = torch.stack(path_speeds).mean(0) * MAX_SPEED_MPS
        v_people = self.members[0].candidates[median_class(torch.stack(probs).mean(0))]
        return (steer_torch(path[:, 0], path[:, 1], v_path, v_people), torch.stack(oods).amax(0))

    @torch.no_grad()
    def calibrate_ood(self, batches) -> None:
        for m in self.members:
            m.calibrate_ood(batches)


def load_student(path: str | Path) -> nn.Module:
    """A Student or an Ensemble (in eval mode) from a checkpoint written by distill; a one-line
    ValueError if the file is not one."""
    if not Path(path).is_file():
        raise ValueError(f"student checkpoint not found: {path}")
    try:
        state = torch.load(path)
    except Exception as exc:  # torch.load raises OSError, pickle and zip errors, RuntimeError...
        raise ValueError(f"{path}: not a student checkpoint: {str(exc).splitlines()[0]}") from None
    if not isinstance(state, dict):
        raise ValueError(f"{path}: not a student checkpoint (no state dict)")
    n = len({k.split(".")[1] for k in state if k.startswith("members.")})
    model = Ensemble([Student() for _ in range(n)]) if n else Student()
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise ValueError(f"{path}: does not fit this student: {str(exc).splitlines()[0]}") from None
    return model.eval()


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def to_tensors(data: dict[str, np.ndarray]) -> list[torch.Tensor]:
    return [torch.from_numpy(data[k]) for k in INPUT_NAMES]


STATE_DROPOUT = 0.5
STATE = INPUT_NAMES.index("state")
SCAN = INPUT_NAMES.index("scan")  # scan_prev follows
MOTION = INPUT_NAMES.index("motion")


def scramble_state(state: torch.Tensor, p: float, g: torch.Generator) -> torch.Tensor:
    """Replace the measured (v, w) of a fraction ``p`` of samples by random ones.

    Against the copycat failure of behaviour cloning: the measured velocity is almost the last
    command, so a student that leans on it learns "keep doing what you do" and, once stopped or
    turning the wrong way, stays so (v0 did: stuck at v = 0 in open space while the teacher said go).
    """
    mask = torch.rand(state.shape[0], 1, generator=g) < p
    lo = torch.tensor([BACK_OFF_MPS, -W_MAX])
    hi = torch.tensor([V_MAX, W_MAX])
    rnd = lo + torch.rand(state.shape, generator=g) * (hi - lo)
    return torch.where(mask, rnd, state)


MIRROR = 0.5
AUX_WEIGHT = 0.5


def mirror(inputs: list[torch.Tensor], label: torch.Tensor, p: float, g: torch.Generator):
    """Left-right mirror a fraction ``p`` of samples: image flipped, scan sectors reversed (they
    start at -pi, so sector i mirrors to 63 - i), and the sign of every lateral quantity (w, the
    bearings' sines, the tangential motion) flipped. The world is not symmetric but the right
    response to it is."""
    m = torch.rand(label.shape[0], generator=g) < p
    image, scan, scan_prev, state, goal, route, motion = inputs
    lateral = torch.tensor([1.0, -1.0])
    polar = torch.tensor([1.0, 1.0, -1.0])
    label_sign = torch.ones(label.shape[1])
    label_sign[1] = -1.0
    label_sign[[2 + i for i in AUX_LATERAL if 2 + i < label.shape[1]]] = -1.0

    def pick(flipped, x):
        return torch.where(m.view(-1, *([1] * (x.dim() - 1))), flipped, x)

    out = [
        pick(image.flip(3), image),
        pick(scan.flip(1), scan),
        pick(scan_prev.flip(1), scan_prev),
        pick(state * lateral, state),
        pick(goal * polar, goal),
        pick(route * polar, route),
        pick(motion.flip(2) * lateral[:, None], motion),
    ]
    return out, pick(label * label_sign, label)


_PATH = [2 + AUX_NAMES.index("path_cos"), 2 + AUX_NAMES.index("path_sin")]
_PEOPLE = 2 + AUX_NAMES.index("people_speed")
_NAV = 2 + AUX_NAMES.index("path_speed")


def decision_loss(model: Student, f: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The teacher's decision learnt part by part: cross-entropy on the path bearing's bin, MSE on
    the path speed (as fractions of the top speed), cross-entropy on which candidate speed
    people allow."""
    h = model.head(f)
    cls = torch.argmin(torch.abs(target[:, _PEOPLE : _PEOPLE + 1] * MAX_SPEED_MPS - model.candidates), 1)
    path_bin = bearing_bin(target[:, _PATH[0]], target[:, _PATH[1]])
    return (
        nn.functional.cross_entropy(h[:, :N_BEARING_BINS], path_bin)
        + ((torch.sigmoid(h[:, N_BEARING_BINS]) - target[:, _NAV]) ** 2).mean()
        + nn.functional.cross_entropy(h[:, N_BEARING_BINS + 1 :], cls)
    )


def train(
    model: Student,
    data: dict[str, np.ndarray],
    epochs: int,
    seed: int,
    lr: float = 2e-3,
    batch: int = 256,
    progress=None,
    state_dropout: float = STATE_DROPOUT,
) -> float:
    """Behaviour cloning on the teacher's decisions (decision_loss), with the measured velocity
    scrambled on a fraction ``state_dropout`` of samples (see scramble_state). Returns the last
    epoch's command error: MSE of the resulting (v, w) against the teacher's, normalised by their
    ranges."""
    g = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = to_tensors(data)
    y = torch.from_numpy(data["label"])
    scale = torch.tensor([V_MAX, W_MAX])
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=WEIGHT_DECAY)
    n = y.shape[0]
    loss_v = math.nan
    for ep in range(epochs):
        perm = torch.randperm(n, generator=g)
        total = 0.0
        for i in range(0, n, batch):
            idx = perm[i : i + batch]
            inputs, target, keep_image = [t[idx] for t in x], y[idx], None
            if target.shape[1] > N_LABEL:  # the states' geometry came along: add people (augment.py)
                scan, scan_prev, motion, target, added = add_person(
                    inputs[SCAN].numpy(),
                    inputs[SCAN + 1].numpy(),
                    inputs[MOTION].numpy(),
                    target.numpy(),
                    rng,
                )
                inputs[SCAN], inputs[SCAN + 1], inputs[MOTION], target = (
                    torch.from_numpy(a) for a in (scan, scan_prev, motion, target)
                )
                keep_image = torch.from_numpy(~added)
            inputs, target = mirror(inputs, target, MIRROR, g)
            inputs[STATE] = scramble_state(inputs[STATE], state_dropout, g)
            f = model.features(*inputs, keep_image=keep_image)
            with torch.no_grad():
                cmd_loss = (((model.command(f) - target[:, :2]) / scale) ** 2).mean()
            loss = decision_loss(model, f, target) + AUX_WEIGHT * ((model.aux(f) - target[:, 2:]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += cmd_loss.item() * idx.numel()  # the reported loss is the command's alone
        loss_v = total / n
        if progress:
            progress(ep + 1, epochs, loss_v)
    return loss_v
