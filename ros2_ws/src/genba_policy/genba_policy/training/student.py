"""The distilled student: camera + LiDAR + odometry + goal (and the route point toward it) -> (v, w)
and an OOD score.

About 45k parameters. The OOD score is the Mahalanobis distance, from the training data, of the
penultimate features together with input statistics (per-channel image mean and spread, scan mean,
spread and fraction of sectors with nothing in range), squashed to [0, 1] and calibrated so that 99% of training samples score below
OOD_CALIBRATION (the supervisor's default threshold is 0.8). The input statistics are what make a
black camera or a LiDAR that sees nothing stand out: the features alone barely move for them.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from genba_policy.observation import INPUT_NAMES

V_MAX, W_MAX = 0.8, 1.5
OOD_CALIBRATION = 0.8
N_STATS = 9  # image mean x3, image std x3, scan mean, scan std, fraction of empty sectors


class Student(nn.Module):
    def __init__(self, feat: int = 64) -> None:
        super().__init__()
        self.image = nn.Sequential(
            nn.Conv2d(3, 16, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.ReLU(),
            # keep a coarse layout (left / centre / right, near / far): where a person is matters
            nn.AdaptiveAvgPool2d((2, 4)), nn.Flatten(), nn.Linear(256, 64), nn.ReLU())
        self.scan = nn.Sequential(nn.Linear(128, 64), nn.ReLU())  # scan and scan_prev
        self.state = nn.Sequential(nn.Linear(8, 32), nn.ReLU())  # v, w, goal, route point
        self.fuse = nn.Sequential(nn.Linear(160, 128), nn.ReLU(), nn.Linear(128, feat), nn.ReLU())
        self.head = nn.Linear(feat, 2)
        self.register_buffer("feat_mean", torch.zeros(feat + N_STATS))
        self.register_buffer("feat_precision", torch.eye(feat + N_STATS))
        self.register_buffer("ood_scale", torch.tensor(1.0))

    def features(self, image, scan, scan_prev, state, goal, route):
        return self.fuse(torch.cat([self.image(image), self.scan(torch.cat([scan, scan_prev], 1)),
                                    self.state(torch.cat([state, goal, route], 1))], 1))

    @staticmethod
    def input_stats(image, scan):
        empty = (scan >= 0.999).float().mean(1, keepdim=True)  # sectors with nothing within range
        return torch.cat([image.mean((2, 3)), image.std((2, 3)), scan.mean(1, keepdim=True),
                          scan.std(1, keepdim=True), empty], 1)

    def ood_vector(self, image, scan, scan_prev, state, goal, route):
        return torch.cat([self.features(image, scan, scan_prev, state, goal, route), self.input_stats(image, scan)], 1)

    def forward(self, image, scan, scan_prev, state, goal, route):
        f = self.features(image, scan, scan_prev, state, goal, route)
        out = torch.tanh(self.head(f))
        cmd = torch.stack([out[:, 0] * V_MAX, out[:, 1] * W_MAX], 1)
        d = torch.cat([f, self.input_stats(image, scan)], 1) - self.feat_mean
        d2 = (d @ self.feat_precision * d).sum(1, keepdim=True)
        ood = 1.0 - torch.exp(-d2 * self.ood_scale)
        return cmd, ood

    @torch.no_grad()
    def calibrate_ood(self, batches) -> None:
        feats = torch.cat([self.ood_vector(*b) for b in batches])
        mean = feats.mean(0)
        cov = torch.cov((feats - mean).T) + 1e-3 * torch.eye(feats.shape[1])
        prec = torch.linalg.inv(cov)
        d = feats - mean
        d2 = (d @ prec * d).sum(1)
        q99 = torch.quantile(d2, 0.99)
        self.feat_mean.copy_(mean)
        self.feat_precision.copy_(prec)
        self.ood_scale.copy_(torch.tensor(-math.log(1.0 - OOD_CALIBRATION)) / q99)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def to_tensors(data: dict[str, np.ndarray]) -> list[torch.Tensor]:
    return [torch.from_numpy(data[k]) for k in INPUT_NAMES]


STATE_DROPOUT = 0.5
STATE = INPUT_NAMES.index("state")


def scramble_state(state: torch.Tensor, p: float, g: torch.Generator) -> torch.Tensor:
    """Replace the measured (v, w) of a fraction ``p`` of samples by random ones.

    Against the copycat failure of behaviour cloning: the measured velocity is almost the last
    command, so a student that leans on it learns "keep doing what you do" and, once stopped or
    turning the wrong way, stays so (v0 did: stuck at v = 0 in open space while the teacher said go).
    """
    mask = torch.rand(state.shape[0], 1, generator=g) < p
    rnd = torch.rand(state.shape, generator=g) * torch.tensor([1.05, 2 * W_MAX]) - torch.tensor([0.25, W_MAX])
    return torch.where(mask, rnd, state)


def train(model: Student, data: dict[str, np.ndarray], epochs: int, seed: int, lr: float = 2e-3,
          batch: int = 256, progress=None, state_dropout: float = STATE_DROPOUT) -> float:
    """Behaviour cloning on teacher labels (MSE on v and w, normalised by their ranges), with the
    measured velocity scrambled on a fraction ``state_dropout`` of samples (see scramble_state)."""
    g = torch.Generator().manual_seed(seed)
    x = to_tensors(data)
    y = torch.from_numpy(data["label"])
    scale = torch.tensor([V_MAX, W_MAX])
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = y.shape[0]
    loss_v = math.nan
    for ep in range(epochs):
        perm = torch.randperm(n, generator=g)
        total = 0.0
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            inputs = [t[idx] for t in x]
            inputs[STATE] = scramble_state(inputs[STATE], state_dropout, g)
            cmd, _ = model(*inputs)
            loss = (((cmd - y[idx]) / scale) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * idx.numel()
        loss_v = total / n
        if progress:
            progress(ep + 1, epochs, loss_v)
    return loss_v
