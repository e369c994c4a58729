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

from genba_policy.observation import INPUT_NAMES
from genba_policy.training.augment import LABEL_COLUMNS
from genba_policy.training.dataset import rollout, stack
from genba_policy.training.progress import Bar
from genba_policy.training.student import Student, parameter_count, to_tensors, train

BC_SEEDS = range(0, 60)
DAGGER_BETAS = (0.5, 0.25, 0.1, 0.0, 0.0)
DAGGER_EPISODES = 50


def dataset_hash(data: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for k in sorted(data):
        h.update(k.encode())
        h.update(np.ascontiguousarray(data[k]).tobytes())
    return h.hexdigest()


def student_driver(model: Student):
    def drive(obs: dict) -> tuple[float, float]:
        with torch.no_grad():
            cmd, _ = model(*(torch.from_numpy(obs[k]) for k in INPUT_NAMES))
        return float(cmd[0, 0]), float(cmd[0, 1])
    return drive


def collect(seeds: range, progress_stream=None) -> list:
    """Teacher-only episodes: (observation, teacher label) records, with a progress bar."""
    records: list = []
    bar = Bar("collect (teacher)", len(seeds), progress_stream)
    ok = 0
    for s in seeds:
        ok += rollout(s, None, 1.0, np.random.default_rng(0), records).success
        bar.update(note=f"{len(records)} samples, {ok} reached the goal")
    return records


def save_records(records: list, path: Path) -> str:
    """Write records as one .npz (arrays as the student eats them); returns the dataset hash."""
    data = stack(records)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez_compressed(f, **data)
    return dataset_hash(data)


def check_teacher_data(path: Path) -> None:
    """Raise ValueError naming what is wrong if ``path`` is not teacher data this training can use."""
    if not path.is_file():
        raise ValueError(f"teacher data not found: {path}")
    try:
        with np.load(path) as z:
            missing = sorted({*INPUT_NAMES, "label"} - set(z.files))
            columns = z["label"].shape[1] if "label" in z.files else None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a teacher dataset (.npz): {exc}") from None
    if missing:
        raise ValueError(f"{path}: teacher data lacks {', '.join(missing)}")
    if columns != LABEL_COLUMNS:
        raise ValueError(f"{path}: labels have {columns} columns, this training needs {LABEL_COLUMNS} (with each "
                         f"state's geometry, for the synthetic people): collect it again with genba-policy collect")


def load_records(path: Path) -> list:
    check_teacher_data(path)
    with np.load(path) as z:
        data = {k: z[k] for k in (*INPUT_NAMES, "label")}
    return [({k: data[k][i:i + 1] for k in INPUT_NAMES}, tuple(float(x) for x in data["label"][i]))
            for i in range(len(data["label"]))]


def distill(out_dir: Path, seed: int = 0, epochs: int = 12, progress=print,
            teacher_data: Path | None = None) -> dict:
    """Behaviour cloning on teacher episodes (collected now, or ``teacher_data`` from
    ``genba-policy collect``), then DAgger rounds; writes student.pt and training_log.json."""
    torch.manual_seed(seed)
    torch.set_num_threads(1)  # one thread: the same model bit for bit on any machine, whatever its cores
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    if teacher_data:
        records = load_records(teacher_data)
        progress(f"teacher data: {len(records)} samples from {teacher_data}")
    else:
        records = collect(BC_SEEDS)
    model = Student()
    log = {"seed": seed, "parameters": parameter_count(model), "rounds": []}

    def bar(tag: str):
        b = Bar(tag, epochs)
        return lambda e, n, loss: b.update(note=f"loss {loss:.4f}")
    loss = train(model, stack(records), epochs, seed, progress=bar("behaviour cloning"))
    log["rounds"].append({"round": "bc", "samples": len(records), "loss": loss})
    for r, beta in enumerate(DAGGER_BETAS, 1):
        drive = student_driver(model.eval())
        ok = 0
        episodes = Bar(f"DAgger {r}/{len(DAGGER_BETAS)} collect (beta {beta})", DAGGER_EPISODES)
        for k, s in enumerate(range(1000 + 100 * r, 1000 + 100 * r + DAGGER_EPISODES), 1):
            ok += rollout(s, drive, beta, rng, records).success
            episodes.update(note=f"{ok}/{k} reached the goal, {len(records)} samples")
        model.train()
        loss = train(model, stack(records), epochs, seed + r, progress=bar(f"DAgger {r}/{len(DAGGER_BETAS)} train"))
        log["rounds"].append({"round": f"dagger{r}", "beta": beta, "samples": len(records), "loss": loss,
                              "episode_success_while_collecting": ok / DAGGER_EPISODES})
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
