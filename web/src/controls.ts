/**
 * The form of controls ↔ {@link ExplorerState}. Every control is a labelled native input, so
 * the page is keyboard-usable as it stands (Tab, arrows on the order slider, Space on checks).
 *
 * @module
 */
import { DEFAULT_ETA_MAX, type ExplorerState, etaScaleOf, stepsOf, VIEWS, type View } from "./state.js";

type Field = HTMLInputElement | HTMLSelectElement;

export function controlsForm(): HTMLFormElement {
  return document.getElementById("controls") as HTMLFormElement;
}

function field(form: HTMLFormElement, name: string): Field {
  return form.elements.namedItem(name) as Field;
}

/** Writes the state into the form (and shows only the controls that apply). */
export function writeControls(form: HTMLFormElement, s: ExplorerState): void {
  field(form, "schedule").value = s.schedule;
  field(form, "N").value = String(s.N);
  field(form, "T").value = String(s.T);
  field(form, "batch").value = String(s.batch);
  field(form, "epochs").value = String(s.epochs);
  (field(form, "shuffle") as HTMLInputElement).checked = s.shuffle;
  field(form, "momentum").value = s.momentum;
  field(form, "rates").value = s.rates;
  field(form, "eta-scale").value = s.etaScale;
  field(form, "order").value = String(s.order);
  field(form, "loss").value = s.loss;
  field(form, "landscape").value = s.landscape;
  field(form, "eta-max").value = String(s.etaMax);
  showApplicable(form, s);
}

/** Reads the form; a field that is empty or out of range keeps the previous value. */
export function readControls(form: HTMLFormElement, previous: ExplorerState): ExplorerState {
  const int = (name: string, fallback: number, min: number) => {
    const v = Number(field(form, name).value);
    return Number.isInteger(v) && v >= min ? v : fallback;
  };
  const s: ExplorerState = {
    ...previous,
    schedule: field(form, "schedule").value === "gd" ? "gd" : "sgd",
    N: int("N", previous.N, 1),
    T: int("T", previous.T, 0),
    batch: int("batch", previous.batch, 1),
    epochs: int("epochs", previous.epochs, 1),
    shuffle: (field(form, "shuffle") as HTMLInputElement).checked,
    momentum: field(form, "momentum").value,
    rates: field(form, "rates").value as ExplorerState["rates"],
    etaScale: field(form, "eta-scale").value,
    order: int("order", previous.order, 0),
    loss: field(form, "loss").value === "train" ? "train" : "test",
    landscape: field(form, "landscape").value as ExplorerState["landscape"],
  };
  const etaMax = Number(field(form, "eta-max").value);
  if (Number.isFinite(etaMax) && etaMax > 0 && etaMax <= 10) s.etaMax = etaMax;
  if (s.landscape !== previous.landscape) {
    // Each landscape has its own scale of η: start from the range where its orders part.
    s.etaMax = DEFAULT_ETA_MAX[s.landscape];
    field(form, "eta-max").value = String(s.etaMax);
  }
  if (s.rates === "custom" && previous.rates !== "custom" && s.etaScale.trim() === "") {
    // Switching to a custom list starts from the profile shown so far, one multiplier per step.
    const T = stepsOf(s);
    const from = etaScaleOf(previous.rates, T);
    s.etaScale = (from?.map(String) ?? Array.from({ length: T }, () => "1")).join(",");
    field(form, "eta-scale").value = s.etaScale;
  }
  showApplicable(form, s);
  return s;
}

function showApplicable(form: HTMLFormElement, s: ExplorerState): void {
  for (const el of form.querySelectorAll<HTMLElement>("[data-only]")) el.hidden = el.dataset.only !== s.schedule;
  for (const el of form.querySelectorAll<HTMLElement>("[data-rates]")) el.hidden = el.dataset.rates !== s.rates;
  for (const el of form.querySelectorAll<HTMLElement>("[data-view-only]")) el.hidden = !el.dataset.viewOnly!.split(" ").includes(s.view);
  // The helix view has no schedule controls: its column collapses so the animation gets the width.
  document.querySelector("main")!.classList.toggle("no-controls", s.view === "helix");
  (form.elements.namedItem("orderOut") as HTMLOutputElement).value = String(s.order);
}

/** Shows one view's panel and marks its tab. */
export function showView(view: View): void {
  for (const v of VIEWS) {
    document.getElementById(`view-${v}`)!.hidden = v !== view;
    const tab = document.getElementById(`tab-${v}`)!;
    tab.setAttribute("aria-selected", String(v === view));
    tab.tabIndex = v === view ? 0 : -1;
  }
}
