"""On-robot inference of the exported student: governance check, contract check, output guards.

Only approved models drive the motors: the file's SHA-256 must be listed in ``models/manifest.yaml``
as a policy (:mod:`genba_common.manifest`), whose ``default`` entry names the model the stack
deploys. Which backend runs it is decided in :mod:`genba_common.inference`; :func:`open_policy` is
what the policy node and the evaluation call.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from genba_common.errors import ModelRejected
from genba_common.inference import DEFAULT_ENGINE_CACHE, open_session
from genba_common.manifest import check_manifest, default_model_path
from genba_policy.backends import PolicyOutput
from genba_policy.observation import INPUT_NAMES, OBS_VERSION

V_LIMIT, W_LIMIT = 1.0, 2.0  # anything beyond is a broken output, not a command


class OnnxPolicy:
    """An approved ONNX student on the first backend that runs it (:func:`open_session`)."""

    name = "student-onnx"

    def __init__(self, model_path: str, manifest_path: str, backend: str = "auto",
                 engine_cache_dir: str = DEFAULT_ENGINE_CACHE, threads: int = 1,
                 log: Callable[[str], None] = print) -> None:
        self.entry = check_manifest(model_path, manifest_path)
        self.model_path, self.log = str(model_path), log
        opened = open_session(self.model_path, self.entry["sha256"], backend, engine_cache_dir, threads, log)
        self.session, self.backend, self.attempts = opened.session, opened.backend.name, opened.attempts
        names = tuple(i.name for i in self.session.get_inputs())
        version = self.session.get_modelmeta().custom_metadata_map.get("obs_version", "?")
        if set(names) != set(INPUT_NAMES) or version != str(OBS_VERSION):
            opened.backend.discard()
            raise ModelRejected(
                f"model {Path(self.model_path).name} was built for observation version {version} "
                f"(inputs {', '.join(names)}); this genba_policy builds version {OBS_VERSION} "
                f"({', '.join(INPUT_NAMES)})"
            )
        log(
            f"policy model {Path(self.model_path).name} runs on {self.backend} "
            f"({self.session.get_providers()[0]})"
        )
        self.latencies_ms: list[float] = []
        self.warm_up()  # TensorRT builds its engine on the first run
        opened.backend.ready(log)

    def warm_up(self, n: int = 5) -> None:
        zeros = {
            i.name: np.zeros([d if isinstance(d, int) else 1 for d in i.shape], np.float32)
            for i in self.session.get_inputs()
        }
        for _ in range(n):
            self.session.run(None, zeros)

    def infer(self, obs: dict[str, np.ndarray]) -> tuple[float, float, float, float, bool]:
        """(v, w, ood_score, latency_ms, valid). Invalid outputs (NaN, inf, out of range) give zero
        motion with valid=False, which the safety supervisor treats as a policy fault."""
        feeds = {k: obs[k] for k in INPUT_NAMES}
        t0 = time.perf_counter()
        cmd, ood = self.session.run(None, feeds)
        ms = (time.perf_counter() - t0) * 1e3
        self.latencies_ms.append(ms)
        if len(self.latencies_ms) > 2000:
            del self.latencies_ms[:1000]
        v, w, o = float(cmd[0, 0]), float(cmd[0, 1]), float(ood[0, 0])
        valid = (
            all(math.isfinite(x) for x in (v, w, o))
            and abs(v) <= V_LIMIT
            and abs(w) <= W_LIMIT
            and 0.0 <= o <= 1.0
        )
        if not valid:
            return 0.0, 0.0, 1.0, ms, False
        return v, w, o, ms, True

    def act(self, obs: dict[str, np.ndarray]) -> PolicyOutput:
        """:meth:`infer` as a :class:`PolicyOutput`."""
        return PolicyOutput(*self.infer(obs))


def open_policy(
    kind: str,
    *,
    model_path: str = "",
    manifest_path: str = "",
    onnx_backend: str = "auto",
    engine_cache_dir: str = DEFAULT_ENGINE_CACHE,
    threads: int = 1,
    max_speed_mps: float = 0.8,
    log: Callable[[str], None] = print,
    warn: Callable[[str], None] | None = None,
):
    """``placeholder``: the reactive controller; ``onnx``: the approved student (``model_path``, or the
    manifest's default when empty) on ``onnx_backend``. Raises ModelRejected with one line. The choice
    goes to ``log`` (a placeholder to ``warn``: no learned model drives)."""
    if kind == "placeholder":
        from genba_policy.backends.placeholder import PlaceholderPolicy

        (warn or log)("running the PLACEHOLDER reactive policy (no learned model)")
        return PlaceholderPolicy(max_speed_mps)
    if kind != "onnx":
        raise ModelRejected(f"unknown policy backend '{kind}' (use onnx or placeholder)")
    path = model_path or str(default_model_path(manifest_path))
    return OnnxPolicy(path, manifest_path, onnx_backend, engine_cache_dir, threads=threads, log=log)
