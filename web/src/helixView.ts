import type { ExplorerState } from "./state.js";

export class HelixView {
  constructor(readonly root: HTMLElement) {}
  async update(_state: ExplorerState, _changedAt: number): Promise<void> {}
  pause(): void {}
}
