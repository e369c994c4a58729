"""Where the policy runs.

The student runs on the backend chain of :mod:`genba_common.inference` (TensorRT, ONNX Runtime CUDA,
ONNX Runtime CPU), shared with perception's face detector; ``placeholder.py`` is the reactive LiDAR
controller that drives without a model. The policy node and the evaluation reach both through
:func:`genba_policy.runtime.open_policy`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyOutput:
    """One decision of a policy, whichever backend ran it."""

    v: float
    w: float
    ood_score: float
    inference_ms: float
    output_valid: bool
