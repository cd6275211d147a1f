/**
 * The explorer page: reads the state from the URL, wires the controls, and hands the state to
 * the active view on every change (no "apply" button: the table follows the controls).
 *
 * @module
 */
import "./style.css";
import { controlsForm, readControls, showView, writeControls } from "./controls.js";
import { DiagramsView } from "./diagramsView.js";
import { EngineClient } from "./engineClient.js";
import { HelixView } from "./helixView.js";
import { PredictView } from "./predictView.js";
import { type ExplorerState, queryFromState, stateFromQuery, VIEWS, type View } from "./state.js";

const form = controlsForm();
const problem = document.getElementById("problem")!;
const initial = stateFromQuery(location.search);
let state: ExplorerState = initial.state;
problem.textContent = initial.problems.length > 0 ? `Ignored in the link: ${initial.problems.join("; ")}.` : "";

const engine = new EngineClient();
const views = {
  diagrams: new DiagramsView(document.getElementById("view-diagrams")!, engine),
  predict: new PredictView(document.getElementById("view-predict")!),
  helix: new HelixView(document.getElementById("view-helix")!),
};

function render(changedAt: number): void {
  history.replaceState(null, "", `?${queryFromState(state)}`);
  showView(state.view);
  for (const v of VIEWS) if (v !== state.view) views[v].pause?.();
  void views[state.view].update(state, changedAt);
}

const onChange = () => {
  const t0 = performance.now();
  const next = readControls(form, state);
  // "input" and "change" both fire for one edit: compute each state once.
  if (JSON.stringify(next) === JSON.stringify(state)) return;
  state = next;
  render(t0);
};
form.addEventListener("input", onChange);
form.addEventListener("change", onChange);

const tabs = [...document.querySelectorAll<HTMLButtonElement>("[role=tab]")];
const select = (view: View) => {
  state = { ...state, view };
  writeControls(form, state);
  render(performance.now());
};
for (const tab of tabs) {
  tab.addEventListener("click", () => select(tab.dataset.view as View));
  tab.addEventListener("keydown", (ev) => {
    // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
    const k = tabs.indexOf(tab);
    const next = ev.key === "ArrowRight" ? (k + 1) % tabs.length : ev.key === "ArrowLeft" ? (k + tabs.length - 1) % tabs.length : -1;
    if (next < 0) return;
    ev.preventDefault();
    tabs[next].focus();
    select(tabs[next].dataset.view as View);
  });
}

writeControls(form, state);
render(performance.now());
