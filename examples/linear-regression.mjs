// Linear regression for sgd-diagrams' `--model` flag: outputs = x·W + b, loss ½‖f − y‖²
// ("mse": summed over the outputs and halved). See docs/own-model.md.
export default {
  name: "linear",
  loss: "mse",
  lanes: true,
  init({ features, outputs, zeros }) {
    return { w: zeros([features, outputs]), b: zeros([1, outputs]) };
  },
  apply(p, x, { np }) {
    return np.matmul(x, p.w).add(p.b);
  },
};
