"""Behaviour cloning + DAgger: the student learns from the teacher in the MuJoCo world.

Seeds: BC on scenarios 0..59, DAgger round k on 1000+100k.., evaluation on seeds never trained on
(evaluation.EVAL_SEEDS: those recipes are chosen on, and 5000..5099 kept apart). Everything is
seeded: the same seed gives the same model on the same machine. Teacher episodes are collected in
COLLECT_WORKERS processes (each depends on its seed alone, so the records are the same as one
process collects).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import torch

from genba_policy.observation import INPUT_NAMES
from genba_training.augment import LABEL_COLUMNS
from genba_training.dataset import rollout, stack
from genba_training.progress import Bar
from genba_training.student import Ensemble, Student, parameter_count, to_tensors, train

BC_SEEDS = range(0, 60)
DAGGER_BETAS = (0.5, 0.25, 0.1, 0.0, 0.0)
DAGGER_EPISODES = 50
EPOCHS = 12
SNAPSHOTS = 3  # the student written is the ensemble of the models after the last SNAPSHOTS rounds
COLLECT_WORKERS = 2  # processes for teacher episodes (and, with fast=True, for DAgger's)
FAST_TRAIN_THREADS = 2  # torch threads with fast=True; a fixed number, whatever the machine's cores


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


_driver = None  # in a worker process: the student that drives its episodes (None: the teacher)


def _use_student(state: dict | None) -> None:
    """Worker set-up: the student from ``state`` (a state_dict) drives, on one torch thread."""
    global _driver
    torch.set_num_threads(1)
    if state is not None:
        model = Student()
        model.load_state_dict(state)
        _driver = student_driver(model.eval())


def _episode(job: tuple[int, float, np.random.Generator | int], driver=None) -> tuple[list, bool]:
    seed, beta, rng = job
    records: list = []
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng([rng, seed])
    return records, rollout(seed, driver, beta, gen, records).success


def _worker_episode(job: tuple[int, float, int]) -> tuple[list, bool]:
    return _episode(job, _driver)


def episodes(
    seeds: range,
    student: Student | None,
    beta: float,
    rng: np.random.Generator | int,
    label: str,
    workers: int = COLLECT_WORKERS,
    progress_stream=None,
) -> tuple[list, int]:
    """Run the episodes ``seeds`` with the teacher labelling every state: (records in seed order,
    episodes that reached the goal). The teacher drives with probability ``beta``, else the
    ``student`` (in eval mode; None: the teacher always). ``rng``: one generator that the episodes
    draw from in turn (in this process), or an int: each episode draws from its own generator
    (rng, seed), and ``workers`` processes (at most one per core) collect the same records as one."""
    records: list = []
    bar = Bar(label, len(seeds), progress_stream)
    ok = 0
    workers = (
        1 if isinstance(rng, np.random.Generator) else max(1, min(workers, os.cpu_count() or 1, len(seeds)))
    )
    jobs = [(s, beta, rng) for s in seeds]
    if workers == 1:
        driver = student_driver(student) if student is not None else None
        pool = None
        results = map(lambda job: _episode(job, driver), jobs)
    else:
        state = student.state_dict() if student is not None else None
        pool = ProcessPoolExecutor(
            workers, mp_context=get_context("spawn"), initializer=_use_student, initargs=(state,)
        )
        results = pool.map(_worker_episode, jobs)
    try:
        for k, (episode, arrived) in enumerate(results, 1):
            records += episode
            ok += arrived
            bar.update(note=f"{ok}/{k} reached the goal, {len(records)} samples")
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return records, ok


def collect(seeds: range, progress_stream=None, workers: int = COLLECT_WORKERS) -> list:
    """Teacher-only episodes: (observation, teacher label) records in seed order, with a progress bar."""
    return episodes(seeds, None, 1.0, 0, "collect (teacher)", workers, progress_stream)[0]


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
        raise ValueError(
            f"{path}: labels have {columns} columns, this training needs {LABEL_COLUMNS} (with each "
            f"state's geometry, for the synthetic people): collect it again with genba-policy collect"
        )


def load_records(path: Path) -> list:
    check_teacher_data(path)
    with np.load(path) as z:
        data = {k: z[k] for k in (*INPUT_NAMES, "label")}
    return [
        ({k: data[k][i : i + 1] for k in INPUT_NAMES}, tuple(float(x) for x in data["label"][i]))
        for i in range(len(data["label"]))
    ]


def distill(
    out_dir: Path,
    seed: int = 0,
    epochs: int = EPOCHS,
    progress=print,
    teacher_data: Path | None = None,
    fast: bool = False,
) -> dict:
    """Behaviour cloning on teacher episodes (collected now, or ``teacher_data`` from
    ``genba-policy collect``), then DAgger rounds; writes student.pt (the Ensemble of the models
    after the last SNAPSHOTS rounds, each calibrated for OOD on all the data) and training_log.json.

    ``fast``: DAgger episodes in COLLECT_WORKERS processes, each with its own random stream, and
    training on FAST_TRAIN_THREADS threads: about 1.8x quicker, a different model (reproducible
    in its own right, on the same number of threads and CPU type). The shipped student was trained
    with it, seed 0 (its card says)."""
    torch.manual_seed(seed)
    # One thread: the same model bit for bit whatever the machine's core count. Not across CPU types,
    # most likely because torch's float kernels differ between CPUs: v6 (--fast) rebuilt on another
    # VM with the same code and teacher episodes gave a sibling model.
    torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    train_threads = FAST_TRAIN_THREADS if fast else 1
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    if teacher_data:
        records = load_records(teacher_data)
        progress(f"teacher data: {len(records)} samples from {teacher_data}")
    else:
        records = collect(BC_SEEDS)
    model = Student()
    snapshots: list[Student] = []
    log = {"seed": seed, "fast": fast, "rounds": []}

    def fit(train_seed: int, tag: str) -> float:
        b = Bar(tag, epochs)
        torch.set_num_threads(train_threads)
        model.train()
        loss = train(
            model,
            stack(records),
            epochs,
            train_seed,
            progress=lambda e, n, lv: b.update(note=f"loss {lv:.4f}"),
        )
        torch.set_num_threads(1)
        return loss

    loss = fit(seed, "behaviour cloning")
    log["rounds"].append({"round": "bc", "samples": len(records), "loss": loss})
    for r, beta in enumerate(DAGGER_BETAS, 1):
        new, ok = episodes(
            range(1000 + 100 * r, 1000 + 100 * r + DAGGER_EPISODES),
            model.eval(),
            beta,
            seed + r if fast else rng,
            f"DAgger {r}/{len(DAGGER_BETAS)} collect (beta {beta})",
        )
        records += new
        loss = fit(seed + r, f"DAgger {r}/{len(DAGGER_BETAS)} train")
        if r > len(DAGGER_BETAS) - SNAPSHOTS:
            snapshots.append(copy.deepcopy(model).eval())
        log["rounds"].append(
            {
                "round": f"dagger{r}",
                "beta": beta,
                "samples": len(records),
                "loss": loss,
                "episode_success_while_collecting": ok / DAGGER_EPISODES,
            }
        )
    data = stack(records)
    model = Ensemble(snapshots) if len(snapshots) > 1 else model.eval()
    x = to_tensors(data)
    model.calibrate_ood([tuple(t[i : i + 512] for t in x) for i in range(0, len(data["label"]), 512)])
    log.update(
        parameters=parameter_count(model),
        snapshots=len(snapshots),
        dataset_sha256=dataset_hash(data),
        samples=len(data["label"]),
        train_seconds=round(time.monotonic() - t0, 1),
    )
    torch.save(model.state_dict(), out_dir / "student.pt")
    (out_dir / "training_log.json").write_text(json.dumps(log, indent=2))
    progress(
        f"distilled in {log['train_seconds']:.0f} s: {log['samples']} samples, "
        f"{log['parameters']} parameters -> {out_dir / 'student.pt'}"
    )
    return log
