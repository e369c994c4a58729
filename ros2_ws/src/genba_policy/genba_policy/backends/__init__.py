"""Where the policy runs, decided in one place.

| backend | module | runs |
|---|---|---|
| ``tensorrt`` | ``tensorrt.py`` | ONNX Runtime's TensorRT execution provider, fp16, engine cached per key |
| ``cuda`` | ``onnxruntime.py`` | ONNX Runtime on CUDA |
| ``cpu`` | ``onnxruntime.py`` | ONNX Runtime on the CPU |
| ``placeholder`` | ``placeholder.py`` | the reactive LiDAR controller: no model |

:func:`open_session` runs the approved student on the first backend of :func:`chain` whose session
really runs on its provider (``get_providers()[0]``; a GPU stack that fails to start is skipped,
never fatal), and logs every backend it skipped, and why. The policy node and the evaluation reach
it through :func:`genba_policy.runtime.open_policy` (the placeholder, or the approved student).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from genba_policy.errors import ModelRejected

CHAIN = ("tensorrt", "cuda", "cpu")  # tried in this order for "auto"
ONNX_BACKENDS = ("auto", *CHAIN)
DEFAULT_ENGINE_CACHE = "~/.cache/genba/trt"


@dataclass(frozen=True)
class PolicyOutput:
    """One decision of a policy, whichever backend ran it."""

    v: float
    w: float
    ood_score: float
    inference_ms: float
    output_valid: bool


class Backend:
    """An ONNX Runtime execution provider the student can run on."""

    name = ""
    provider = ""

    def providers(self) -> list:
        """ONNX Runtime's ``providers`` argument for this backend."""
        return (
            [self.provider]
            if self.provider == "CPUExecutionProvider"
            else [self.provider, "CPUExecutionProvider"]
        )

    def discard(self) -> None:
        """The session could not start or fell back to another provider: undo what ``providers`` set up."""

    def ready(self, log: Callable[[str], None]) -> None:
        """The session ran its warm-up."""


def chain(requested: str) -> tuple[str, ...]:
    """The backends to try, in order, for ``requested`` (``auto`` or one of :data:`CHAIN`)."""
    if requested == "auto":
        return CHAIN
    if requested not in CHAIN:
        raise ModelRejected(f"unknown backend '{requested}' (use {', '.join(ONNX_BACKENDS)})")
    return (requested,)


def make_backend(name: str, onnx_sha256: str, engine_cache_dir: str) -> Backend:
    if name == "tensorrt":
        from genba_policy.backends.tensorrt import TensorRt

        return TensorRt(onnx_sha256, engine_cache_dir)
    from genba_policy.backends.onnxruntime import Cpu, Cuda

    return Cuda() if name == "cuda" else Cpu()


@dataclass
class Session:
    """An ONNX Runtime session on the backend that runs it, and why the others did not."""

    backend: Backend
    session: Any
    attempts: list[str]


def open_session(
    model_path: str,
    onnx_sha256: str,
    requested: str = "auto",
    engine_cache_dir: str = DEFAULT_ENGINE_CACHE,
    threads: int = 1,
    log: Callable[[str], None] = print,
) -> Session:
    """The first backend of ``chain(requested)`` that runs the model; raises ModelRejected if none does."""
    import onnxruntime as ort

    names = chain(requested)
    available = ort.get_available_providers()
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    attempts: list[str] = []
    for name in names:
        try:
            backend = make_backend(name, onnx_sha256, engine_cache_dir)
        except ImportError as exc:
            attempts.append(f"{name}: {exc}")
            continue
        if backend.provider not in available:
            attempts.append(f"{name}: {backend.provider} not in this onnxruntime build")
            continue
        try:
            sess = ort.InferenceSession(model_path, so, providers=backend.providers())
        except Exception as exc:  # a GPU stack that fails to initialise must not stop the robot
            attempts.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            backend.discard()
            continue
        if sess.get_providers()[0] != backend.provider:
            attempts.append(f"{name}: session fell back to {sess.get_providers()[0]}")
            backend.discard()
            continue
        for a in attempts:
            log(f"backend not used: {a}")
        return Session(backend, sess, attempts)
    raise ModelRejected("no inference backend could run the model: " + "; ".join(attempts))
