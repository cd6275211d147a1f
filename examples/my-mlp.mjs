// A small tanh MLP for sgd-diagrams' `--model` flag: features → 16 hidden units → outputs,
// softmax cross-entropy on class labels. See docs/own-model.md.
//
// `init` returns the parameters as a tree of tensors; `apply` maps inputs [S, F] to outputs
// [S, K] with jax-js (`np` and the accurate `tanh`/`exp`/`log` come in the third argument, so
// this file imports nothing; use the `tanh` given there, not `np.tanh`, for float64 to every digit).
// `lanes: true` promises that `apply` also works with a leading lane axis on every parameter
// and on the inputs (biases shaped [1, H] and `np.matmul` broadcast it), which lets the
// library train many runs in one matrix product.
const HIDDEN = 16;

export default {
  name: "my-mlp",
  loss: "softmax-cross-entropy",
  lanes: true,
  init({ features, outputs, normal, zeros }) {
    return {
      w1: normal([features, HIDDEN], Math.sqrt(1 / features)),
      b1: zeros([1, HIDDEN]),
      w2: normal([HIDDEN, outputs], Math.sqrt(1 / HIDDEN)),
      b2: zeros([1, outputs]),
    };
  },
  apply(p, x, { np, tanh }) {
    const h = tanh(np.matmul(x, p.w1).add(p.b1));
    return np.matmul(h, p.w2).add(p.b2);
  },
};
