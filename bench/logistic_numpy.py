"""Reference for `npm run bench -- logistic`: the default main job's logistic simulation
(paired runs x learning rates, vanilla SGD with T = N, final test loss on the test sample and
train loss) written as a straightforward vectorised numpy float64 program, in the same kernel
coordinates as the TypeScript trainer (logits z(x) = z0(x) + s^2 * sum_n A_n (x_n . x), the
Gram block against the test sample by one BLAS product per run). Vectorised over learning
rates and test images; one Python iteration per run and step.

Usage: python3 logistic_numpy.py DIR  (DIR holds the arrays the benchmark wrote; prints JSON).
"""
import json
import sys
import time

import numpy as np

d = sys.argv[1]
meta = json.load(open(f"{d}/meta.json"))
U, F, S, N, R = meta["images"], meta["features"], meta["testSize"], meta["N"], meta["runs"]
etas = np.array(meta["etas"], dtype=np.float64)
s2 = meta["s2"]
pixels = np.fromfile(f"{d}/pixels.f32", dtype=np.float32).reshape(U, F).astype(np.float64)
labels = np.fromfile(f"{d}/labels.u8", dtype=np.uint8).astype(np.int64)
logits0 = np.fromfile(f"{d}/logits0.f64", dtype=np.float64).reshape(U, 10)
train_sets = np.fromfile(f"{d}/train.i32", dtype=np.int32).reshape(R, N)
test_idx = np.fromfile(f"{d}/test.i32", dtype=np.int32)


def logsumexp(z):
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]


t0 = time.perf_counter()
Xte = pixels[test_idx]                      # S x F
z0_te = logits0[test_idx]                   # S x 10
y_te = labels[test_idx]
E = len(etas)
test_out = np.empty((R, E))
train_out = np.empty((R, E))
rows = np.arange(S)
for r in range(R):
    tr = train_sets[r]
    X = pixels[tr]                          # N x F
    K = X @ X.T + 1.0                       # N x N (bias entry 1)
    Gt = X @ Xte.T + 1.0                    # N x S: the large product
    z0 = logits0[tr]                        # N x 10
    y = labels[tr]
    A = np.zeros((E, N, 10))
    for t in range(N):                      # vanilla SGD: step t uses training point t
        z = z0[t] + s2 * np.einsum("n,enc->ec", K[:, t], A)
        p = np.exp(z - logsumexp(z)[:, None])
        p[:, y[t]] -= 1.0
        A[:, t, :] -= etas[:, None] * p
    Z = z0[None] + s2 * np.einsum("nm,enc->emc", K, A)
    train_out[r] = (logsumexp(Z) - Z[:, np.arange(N), y]).mean(axis=1)
    Zt = z0_te[None] + s2 * np.einsum("nj,enc->ejc", Gt, A)
    test_out[r] = (logsumexp(Zt) - Zt[:, rows, y_te]).mean(axis=1)
seconds = time.perf_counter() - t0
test_out.tofile(f"{d}/numpy_test.f64")
train_out.tofile(f"{d}/numpy_train.f64")
print(json.dumps({"seconds": seconds, "numpy": np.__version__}))
