"""A multinomial logistic regression over tf-idf features, trained with L-BFGS.

Small on purpose: it trains on a few thousand examples in seconds, scores a text with one
sparse row sum, and its probabilities are calibrated afterwards by a temperature fitted on
held-out predictions (see :mod:`intents.training`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from intents.features import weigh

__all__ = ["LinearModel", "fit_linear_model", "softmax"]

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LinearModel:
    """Scores for ``classes`` of a text's feature counts: ``x·W + b``."""

    classes: tuple[str, ...]
    index: dict[str, int]
    idf: dict[str, float]
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]

    def logits(self, counts: Counter[str]) -> Floats:
        weighted = weigh(counts, self.idf)
        if not weighted:
            return self.bias.astype(np.float64)
        rows = np.fromiter((self.index[f] for f in weighted), dtype=np.int64, count=len(weighted))
        values = np.fromiter(weighted.values(), dtype=np.float32, count=len(weighted))
        return (values @ self.weights[rows] + self.bias).astype(np.float64)


def softmax(logits: Floats, temperature: float = 1.0) -> Floats:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    result: Floats = exp / exp.sum(axis=-1, keepdims=True)
    return result


def fit_linear_model(
    documents: Sequence[Counter[str]],
    labels: Sequence[str],
    *,
    classes: Sequence[str],
    l2: float = 1e-4,
    max_iterations: int = 150,
    min_document_frequency: int = 2,
) -> LinearModel:
    """Fit on ``documents`` (feature counts) with balanced class weights."""
    from scipy import sparse  # training only: keeps loading the model fast

    document_frequency: Counter[str] = Counter()
    for counts in documents:
        document_frequency.update(counts.keys())
    n = len(documents)
    idf = {f: math.log((1 + n) / (1 + df)) + 1.0 for f, df in document_frequency.items()}
    features = sorted(f for f, df in document_frequency.items() if df >= min_document_frequency)
    idf = {f: idf[f] for f in features}
    index = {feature: position for position, feature in enumerate(features)}
    rows, cols, values = [], [], []
    for row, counts in enumerate(documents):
        for feature, value in weigh(counts, idf).items():
            rows.append(row)
            cols.append(index[feature])
            values.append(value)
    x = sparse.csr_matrix((values, (rows, cols)), shape=(n, len(features)))
    xt = x.T.tocsr()
    class_index = {name: position for position, name in enumerate(classes)}
    y = np.array([class_index[label] for label in labels])
    k = len(classes)
    counts_per_class = np.bincount(y, minlength=k).astype(np.float64)
    sample_weight = (n / (k * np.maximum(counts_per_class, 1)))[y]
    sample_weight /= sample_weight.sum()
    targets = np.zeros((n, k))
    targets[np.arange(n), y] = 1.0
    d = len(features)

    def loss_and_gradient(theta: Floats) -> tuple[float, Floats]:
        w = theta[: d * k].reshape(d, k)
        b = theta[d * k :]
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(z).sum(axis=1))
        loss = _dot(sample_weight, log_norm - z[np.arange(n), y])
        residual = (np.exp(z - log_norm[:, None]) - targets) * sample_weight[:, None]
        grad_w = xt @ residual + l2 * w
        loss += 0.5 * l2 * float(np.sum(w * w))
        return loss, np.concatenate([grad_w.ravel(), residual.sum(axis=0)])

    theta = _minimize_adam(loss_and_gradient, np.zeros(d * k + k), max_iterations)
    return LinearModel(
        classes=tuple(classes),
        index=index,
        idf=idf,
        weights=theta[: d * k].reshape(d, k).astype(np.float32),
        bias=theta[d * k :].astype(np.float32),
    )


def _minimize_adam(
    function: Callable[[Floats], tuple[float, Floats]],
    start: Floats,
    iterations: int,
    *,
    rate: float = 0.1,
    beta1: float = 0.9,
    beta2: float = 0.999,
) -> Floats:
    """Full-batch Adam: a handful of vector operations a step, which on this problem (a few
    hundred thousand weights) costs far less than a quasi-Newton step."""
    x = start.copy()
    first = np.zeros_like(x)
    second = np.zeros_like(x)
    for step in range(1, iterations + 1):
        _, gradient = function(x)
        first *= beta1
        first += (1 - beta1) * gradient
        second *= beta2
        second += (1 - beta2) * gradient * gradient
        corrected = rate * math.sqrt(1 - beta2**step) / (1 - beta1**step)
        x -= corrected * first / (np.sqrt(second) + 1e-8)
    return x


def _dot(a: Floats, b: Floats) -> float:
    """Elementwise rather than BLAS: OpenBLAS's threads stall badly on a busy two-core machine."""
    return float(np.einsum("i,i->", a, b))
