"""genba-policy collect / distill argument handling (the long runs are not tests: see the README)."""

import numpy as np
import pytest
import torch

from genba_policy.observation import INPUT_NAMES
from genba_training.augment import LABEL_COLUMNS
from genba_training.cli import main
from genba_training.dataset import rollout, stack
from genba_training.distill import collect, dataset_hash, episodes, load_records, student_driver
from genba_training.student import Student


def test_collect_writes_a_teacher_dataset_that_distill_reads(tmp_path, capsys):
    out = tmp_path / "teacher.npz"
    with pytest.raises(SystemExit) as e:
        main(["collect", "--seeds", "9100:9102", "--out", str(out)])
    assert e.value.code == 0
    printed = capsys.readouterr().out
    assert "collect (teacher) [" in printed and "2/2" in printed and "dataset sha256" in printed
    with np.load(out) as z:
        assert set(z.files) == {*INPUT_NAMES, "label"}
        n = len(z["label"])
        assert n > 50 and all(len(z[k]) == n for k in z.files)
    with np.load(out) as z:
        assert z["label"].shape[1] == LABEL_COLUMNS  # each state's geometry comes along (augment.py)
    records = load_records(out)
    assert len(records) == n and set(records[0][0]) == set(INPUT_NAMES)


def test_held_out_seeds_are_never_collected_and_missing_data_is_named(tmp_path):
    with pytest.raises(SystemExit, match="seeds 9000-9019 are held out"):
        main(["collect", "--seeds", "8990:9001", "--out", str(tmp_path / "x.npz")])
    with pytest.raises(SystemExit, match="seeds 7000-7059, 5000-5099 are held out"):
        main(["collect", "--seeds", "5090:7001", "--out", str(tmp_path / "x.npz")])
    assert not (tmp_path / "x.npz").exists()
    with pytest.raises(SystemExit, match="teacher data not found: .*nope.npz"):
        main(["distill", "--teacher-data", str(tmp_path / "nope.npz"), "--out", str(tmp_path / "p")])


def test_teacher_data_without_the_states_geometry_is_refused_by_name(tmp_path):
    old = tmp_path / "old.npz"
    np.savez(
        old, **{k: np.zeros((3, 2), np.float32) for k in INPUT_NAMES}, label=np.zeros((3, 11), np.float32)
    )
    with pytest.raises(
        SystemExit, match="old.npz: labels have 11 columns, this training needs .*collect it again"
    ):
        main(["distill", "--teacher-data", str(old), "--out", str(tmp_path / "p")])
    junk = tmp_path / "junk.npz"
    junk.write_text("not a zip")
    with pytest.raises(SystemExit, match="junk.npz: not a teacher dataset"):
        main(["distill", "--teacher-data", str(junk), "--out", str(tmp_path / "p")])


def test_collecting_in_two_processes_gives_the_records_one_process_gives():
    seeds = range(9100, 9103)
    one, two = collect(seeds, workers=1), collect(seeds, workers=2)
    assert len(one) == len(two) > 50
    assert dataset_hash(stack(one)) == dataset_hash(stack(two))  # the same states and labels, in seed order
    torch.manual_seed(3)
    student = Student().eval()  # an untrained student drives half the steps (DAgger)
    (one, ok1), (two, ok2) = (episodes(seeds, student, 0.5, 7, "dagger", workers=n) for n in (1, 2))
    assert ok1 == ok2 and dataset_hash(stack(one)) == dataset_hash(stack(two))
    assert dataset_hash(stack(episodes(seeds, student, 0.5, 8, "dagger", workers=1)[0])) != dataset_hash(
        stack(one)
    )


def test_dagger_episodes_on_one_shared_stream_are_the_serial_loop_and_leave_torch_random_alone():
    """The shipped model's recipe (no --fast): the episodes draw from one generator in turn, in this
    process, as the loop that trained it did; and driving does not move training's random stream."""
    seeds = range(9100, 9103)
    torch.manual_seed(3)
    model = Student().eval()
    loop: list = []
    gen = np.random.default_rng(5)
    for s in seeds:
        rollout(s, student_driver(model), 0.5, gen, loop)
    before = torch.get_rng_state()
    records, _ = episodes(seeds, model, 0.5, np.random.default_rng(5), "dagger", workers=2)
    assert torch.equal(torch.get_rng_state(), before)
    assert dataset_hash(stack(records)) == dataset_hash(stack(loop))


def test_distill_writes_the_ensemble_of_its_last_rounds_with_each_member_calibrated(tmp_path, monkeypatch):
    """A tiny run (two DAgger rounds of one episode, one epoch each): the student written is the
    ensemble of the models after the last SNAPSHOTS rounds, each with its own OOD calibration."""
    from genba_training import distill as d
    from genba_training.student import Ensemble, load_student, parameter_count

    data = tmp_path / "teacher.npz"
    d.save_records(collect(range(9100, 9101), workers=1), data)
    monkeypatch.setattr(d, "DAGGER_BETAS", (0.0, 0.0))
    monkeypatch.setattr(d, "DAGGER_EPISODES", 1)
    monkeypatch.setattr(d, "SNAPSHOTS", 2)
    log = d.distill(tmp_path / "p", epochs=1, teacher_data=data, progress=lambda s: None)
    model = load_student(tmp_path / "p" / "student.pt")
    assert isinstance(model, Ensemble) and len(model.members) == 2 and log["snapshots"] == 2
    assert log["parameters"] == parameter_count(model) == 2 * parameter_count(Student())
    first, second = model.members
    assert not torch.equal(first.head.weight, second.head.weight)  # one more round of training apart
    for m in model.members:
        assert float(m.ood_scale) != 1.0 and float(m.feat_mean.abs().sum()) > 0  # calibrated
