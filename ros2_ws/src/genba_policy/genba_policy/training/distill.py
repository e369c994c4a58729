"""Behaviour cloning + DAgger: the student learns from the teacher in the MuJoCo world.

Seeds: BC on scenarios 0..59, DAgger round k on 1000+100k.., evaluation on the held-out 9000..9019
(never trained on). Everything is seeded: the same seed gives the same model on the same machine.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
import torch

from genba_policy.training.dataset import rollout, stack
from genba_policy.training.student import Student, parameter_count, to_tensors, train

BC_SEEDS = range(0, 60)
DAGGER_BETAS = (0.5, 0.25, 0.1, 0.0)
DAGGER_EPISODES = 40


def dataset_hash(data: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for k in sorted(data):
        h.update(k.encode())
        h.update(np.ascontiguousarray(data[k]).tobytes())
    return h.hexdigest()


def student_driver(model: Student):
    def drive(obs: dict) -> tuple[float, float]:
        with torch.no_grad():
            cmd, _ = model(*(torch.from_numpy(obs[k]) for k in ("image", "scan", "state", "goal")))
        return float(cmd[0, 0]), float(cmd[0, 1])
    return drive


def distill(out_dir: Path, seed: int = 0, epochs: int = 12, progress=print) -> dict:
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    records: list = []
    for k, s in enumerate(BC_SEEDS, 1):
        rollout(s, None, 1.0, rng, records)
        if k % 10 == 0:
            progress(f"collect (teacher): {k}/{len(BC_SEEDS)} episodes, {len(records)} samples")
    model = Student()
    log = {"seed": seed, "parameters": parameter_count(model), "rounds": []}
    report = lambda tag: (lambda e, n, loss: progress(f"{tag}: epoch {e}/{n} loss {loss:.4f}") if e == n or e % 4 == 0 else None)  # noqa: E731
    loss = train(model, stack(records), epochs, seed, progress=report("behaviour cloning"))
    log["rounds"].append({"round": "bc", "samples": len(records), "loss": loss})
    for r, beta in enumerate(DAGGER_BETAS, 1):
        drive = student_driver(model.eval())
        ok = 0
        for s in range(1000 + 100 * r, 1000 + 100 * r + DAGGER_EPISODES):
            ok += rollout(s, drive, beta, rng, records).success
        model.train()
        loss = train(model, stack(records), epochs, seed + r, progress=report(f"DAgger round {r} (beta {beta})"))
        log["rounds"].append({"round": f"dagger{r}", "beta": beta, "samples": len(records), "loss": loss,
                              "episode_success_while_collecting": ok / DAGGER_EPISODES})
        progress(f"DAgger round {r}: {ok}/{DAGGER_EPISODES} episodes succeeded while collecting, "
                 f"{len(records)} samples")
    data = stack(records)
    model.eval()
    x = to_tensors(data)
    model.calibrate_ood([tuple(t[i:i + 512] for t in x) for i in range(0, len(data["label"]), 512)])
    log.update(dataset_sha256=dataset_hash(data), samples=len(data["label"]),
               train_seconds=round(time.monotonic() - t0, 1))
    torch.save(model.state_dict(), out_dir / "student.pt")
    (out_dir / "training_log.json").write_text(json.dumps(log, indent=2))
    progress(f"distilled in {log['train_seconds']:.0f} s: {log['samples']} samples, "
             f"{log['parameters']} parameters -> {out_dir / 'student.pt'}")
    return log
