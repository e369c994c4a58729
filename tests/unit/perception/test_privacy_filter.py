"""The privacy filter: CenterFace hides small and tilted faces, holds them through missed frames, and
fails closed (a detector that raises, stalls or fails its hash gives a frame masked whole)."""

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from privacy_frames import altered_share, backgrounds, face_frames, hidden, place
from skimage import data

from genba_common.errors import ModelRejected
from genba_common.manifest import check_manifest, packaged_model
from genba_perception.faces import ROLE, FaceDetectorConfig, HaarFaceDetector, nms, open_face_detector
from genba_perception.privacy import MASK_GREY, FaceHold, PrivacyConfig, PrivacyFilter, masked_frame, pixelate

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = ROOT / "models" / "manifest.yaml"
# What the detector finds and leaves alone, whatever the machine's speed: with the deployed 1000 ms
# budget a loaded CI machine (a 640 px frame takes ~0.4-1 s here on one thread) fails closed and
# masks whole frames, which says nothing about detection. The budget itself is tested below
# (test_a_detector_that_stalls_past_its_budget_masks_frames_until_it_answers).
NO_PEOPLE = PrivacyConfig(mask_people=False, budget_ms=60_000.0)


@pytest.fixture(scope="module")
def centerface():
    opened = open_face_detector(MANIFEST, backend="cpu", log=lambda s: None)
    assert opened.status == "ok", opened.message
    return opened.detector


def manifest_with(tmp_path, **changes) -> Path:
    data_ = yaml.safe_load(MANIFEST.read_text())
    for e in data_["models"]:
        if e.get("role") == ROLE:
            e.update(changes)
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(data_))
    return path


class Scripted:
    """A stand-in detector: returns (or does) what each call is told."""

    name, backend = "scripted", "none"

    def __init__(self, *answers) -> None:
        self.answers = list(answers)

    def detect(self, rgb):
        a = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return a() if callable(a) else np.asarray(a, np.float32).reshape(-1, 5)


def test_the_astronaut_is_pixelated_and_the_background_is_not(centerface):
    img = data.astronaut()  # a real photograph (NASA, public domain) shipped with scikit-image
    f = PrivacyFilter(centerface, NO_PEOPLE)
    out = f.filter(img)
    assert out.fault == "" and out.faces == 1
    x0, y0, x1, y1 = out.regions[0]
    assert x0 <= 190 and y0 <= 70 and x1 >= 260 and y1 >= 170  # covers the face (181..270, 58..178)
    before, after = img[70:170, 190:260].astype(int), out.image[70:170, 190:260].astype(int)
    assert np.abs(np.diff(after, axis=1)).mean() < 0.3 * np.abs(np.diff(before, axis=1)).mean()
    assert np.array_equal(out.image[-60:, -60:], img[-60:, -60:])  # a corner far from the face untouched
    f.close()


def test_faces_of_12_px_tilted_45_deg_in_dim_light_are_hidden(centerface):
    frames = [
        fr
        for fr in face_frames(backdrops=("coffee",), positions=((320, 240),))
        if fr.size_px in (12, 20, 90) and fr.tilt_deg in (0, 45)
    ]
    assert len(frames) == 2 * 3 * 2 * 2  # subjects x sizes x tilts x light
    f = PrivacyFilter(centerface, NO_PEOPLE)
    missed = []
    for fr in frames:
        f.hold.clear()
        out = f.filter(fr.image)
        if not hidden(fr.face, out.regions):
            missed.append((fr.subject, fr.size_px, fr.tilt_deg, fr.light))
    f.close()
    assert missed == []


def test_frames_without_people_are_left_almost_untouched(centerface):
    f = PrivacyFilter(centerface, NO_PEOPLE)
    shares = []
    for name in ("coffee", "rocket", "brick", "chelsea", "text"):
        img = backgrounds()[name]
        f.hold.clear()
        shares.append(altered_share(img, f.filter(img).image))
    f.close()
    assert max(shares) <= 0.01, shares


def test_the_haar_fallback_runs_where_the_model_is_unavailable(tmp_path):
    opened = open_face_detector(manifest_with(tmp_path, package="no_such_package_genba"), log=lambda s: None)
    assert opened.status == "fallback" and isinstance(opened.detector, HaarFaceDetector)
    assert "not installed" in opened.message and "Haar" in opened.message


def test_a_model_that_fails_its_hash_masks_every_frame(tmp_path):
    opened = open_face_detector(manifest_with(tmp_path, sha256="0" * 64), log=lambda s: None)
    assert opened.status == "rejected" and "not approved" in opened.message
    f = PrivacyFilter(opened.detector, NO_PEOPLE)
    img = data.astronaut()
    out = f.filter(img)
    assert (out.image == MASK_GREY).all() and out.image.shape == img.shape and "not approved" in out.fault
    f.close()


def test_the_face_model_may_not_drive_and_the_policy_may_not_detect_faces():
    path, entry = packaged_model(MANIFEST, ROLE)
    assert path.name == "centerface.onnx" and entry["version"] == "1.5.0"
    assert check_manifest(path, MANIFEST, ROLE)["sha256"] == entry["sha256"]
    with pytest.raises(ModelRejected, match="not approved as a policy"):
        check_manifest(path, MANIFEST)
    with pytest.raises(ModelRejected, match="not approved as a face_detector"):
        check_manifest(ROOT / "models" / "genba_student_v7.onnx", MANIFEST, ROLE)


def test_a_detector_that_raises_masks_the_frame_and_the_next_good_frame_passes():
    boom = Scripted(lambda: (_ for _ in ()).throw(RuntimeError("CUDA error 700")), [])
    f = PrivacyFilter(boom, NO_PEOPLE)
    img = data.astronaut()
    bad = f.filter(img)
    assert (bad.image == MASK_GREY).all() and "RuntimeError: CUDA error 700" in bad.fault
    good = f.filter(img)
    assert good.fault == "" and np.array_equal(good.image, img)
    f.close()


def test_a_detector_that_stalls_past_its_budget_masks_frames_until_it_answers():
    release = threading.Event()
    stall = Scripted(lambda: release.wait(5.0) and np.zeros((0, 5)), [])
    f = PrivacyFilter(stall, PrivacyConfig(mask_people=False, budget_ms=50.0))
    img = data.astronaut()
    t0 = time.monotonic()
    first = f.filter(img)
    assert time.monotonic() - t0 < 1.0  # the budget, not the stall, bounds the wait
    assert (first.image == MASK_GREY).all() and "stalled past its 50 ms budget" in first.fault
    second = f.filter(img)  # still stuck: no second frame is handed to it
    assert (second.image == MASK_GREY).all() and "still busy" in second.fault
    release.set()
    time.sleep(0.1)
    assert f.filter(img).fault == ""
    f.close()


@pytest.mark.parametrize("boxes", [[[np.nan, 0, 10, 10, 0.9]], [[0, 0, np.inf, 10, 0.9]]])
def test_non_finite_boxes_mask_the_frame(boxes):
    f = PrivacyFilter(Scripted(boxes), NO_PEOPLE)
    out = f.filter(data.astronaut())
    assert (out.image == MASK_GREY).all() and "non-finite" in out.fault
    f.close()


def test_a_face_missed_for_a_few_frames_stays_masked_where_it_moved():
    bg = backgrounds()["coffee"]
    # the face moves 8 px right per frame; the detector sees it in frames 0 and 1 only
    frames = [place("astronaut", 40, 0, bg, (200 + 8 * k, 240)) for k in range(9)]
    seen = [[[*box, 0.9]] for _, box in frames[:2]]
    f = PrivacyFilter(Scripted(*seen, []), PrivacyConfig(mask_people=False, hold_frames=5))
    results = [f.filter(img) for img, _ in frames]
    assert all(
        hidden(box, r.regions) for (_, box), r in zip(frames[:7], results[:7], strict=True)
    )  # 2 seen + 5 held
    assert results[7].regions == [] and np.array_equal(results[7].image, frames[7][0])  # dropped after 5
    f.close()


def test_the_hold_follows_a_moving_box_and_forgets_after_its_frames():
    hold = FaceHold(hold_frames=2)
    hold.update(np.array([[100, 100, 120, 120, 1.0]]))
    hold.update(np.array([[110, 100, 130, 120, 1.0]]))  # moved 10 px right
    (predicted,) = hold.update(np.zeros((0, 5)))
    assert predicted[0] > 110 and predicted[2] > 130  # carried on with its motion, and grown
    assert len(hold.update(np.zeros((0, 5)))) == 1
    assert hold.update(np.zeros((0, 5))) == []


def test_pixelation_is_coarse_and_small_boxes_are_filled_flat():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    out = img.copy()
    pixelate(out, (0, 0, 48, 48), 12)
    blocks = out[:48, :48].reshape(4, 12, 4, 12, 3)
    assert (blocks == blocks[:, :1, :, :1]).all()  # constant 12x12 blocks
    pixelate(out, (50, 50, 60, 60), 12)  # smaller than two blocks
    assert (out[50:60, 50:60] == out[50, 50]).all()
    assert np.array_equal(out[:, 60:], img[:, 60:])
    assert (masked_frame(img) == MASK_GREY).all()


def test_nms_keeps_the_best_of_overlapping_boxes():
    boxes = np.array([[0, 0, 10, 10, 0.5], [1, 1, 11, 11, 0.9], [50, 50, 60, 60, 0.3]], np.float32)
    kept = nms(boxes, 0.3)
    assert kept[:, 4].tolist() == pytest.approx([0.9, 0.3])


def test_a_larger_upscale_costs_a_larger_input():
    from genba_perception.faces import CenterFaceDetector

    d1 = CenterFaceDetector(b"", "", FaceDetectorConfig(upscale=1.0))
    d2 = CenterFaceDetector(b"", "", FaceDetectorConfig(upscale=2.0))
    assert d1.input_size(480, 640) == (480, 640) and d2.input_size(480, 640) == (960, 1280)
    assert d2.input_size(96, 128) == (192, 256) and d1.input_size(100, 130) == (128, 160)


def test_tensorrt_hides_every_face_of_the_test_set(tmp_path, tensorrt_provider):
    trt = open_face_detector(MANIFEST, backend="tensorrt", engine_cache_dir=str(tmp_path), log=lambda s: None)
    assert trt.status == "ok" and trt.detector.backend == "tensorrt", trt.message
    gpu = PrivacyFilter(trt.detector, NO_PEOPLE)
    for fr in face_frames(backdrops=("coffee",), positions=((320, 240),)):
        gpu.hold.clear()
        assert hidden(fr.face, gpu.filter(fr.image).regions), (fr.subject, fr.size_px, fr.tilt_deg, fr.light)
    gpu.close()


def test_the_detector_runs_on_a_thread_that_yields_the_cpu():
    class Probe(Scripted):
        def detect(self, rgb):
            self.seen = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            return np.zeros((0, 5))

    probe = Probe([])
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    f = PrivacyFilter(probe, PrivacyConfig(mask_people=False, detector_nice=7))
    f.filter(data.astronaut())
    assert probe.seen == min(19, own + 7)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own  # the caller is untouched
    f.close()
