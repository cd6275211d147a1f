/**
 * Loads a page in headless Chromium through the DevTools protocol over a pipe
 * (`--remote-debugging-pipe`: JSON messages separated by NUL on fds 3 and 4), and reports the
 * console errors, uncaught exceptions and failed loads it logged; optionally a screenshot.
 * Tests only: no dependency beyond Node.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { Readable, Writable } from "node:stream";

/** Where Debian installs Chromium; tests that need it are skipped when it is absent. */
export const CHROMIUM = "/usr/bin/chromium";

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

export interface PageReport {
  /** Console errors, exceptions and failed resource loads, as text. */
  readonly errors: string[];
  /** Base64 PNG of the full page, when asked for. */
  readonly screenshot?: string;
}

/** Opens `url`, waits for the load event (and a short grace period), and collects errors. */
export async function loadPage(url: string, options: { screenshot?: boolean; width?: number; timeoutMs?: number } = {}): Promise<PageReport> {
  const child = spawn(CHROMIUM, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--remote-debugging-pipe", "--no-first-run", "about:blank"], {
    stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"],
  });
  const toChrome = child.stdio[3] as Writable;
  const fromChrome = child.stdio[4] as Readable;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const listeners: ((m: { method: string; params: Record<string, unknown>; sessionId?: string }) => void)[] = [];
  let buffer = "";
  fromChrome.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let i: number;
    while ((i = buffer.indexOf("\0")) >= 0) {
      const msg = JSON.parse(buffer.slice(0, i)) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
      buffer = buffer.slice(i + 1);
      if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error !== undefined) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method !== undefined) {
        for (const l of listeners) l({ method: msg.method, params: msg.params ?? {}, sessionId: msg.sessionId });
      }
    }
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      toChrome.write(JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) }) + "\0");
    });
  const timeout = options.timeoutMs ?? 30_000;
  const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
  try {
    const { targetId } = (await send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
    const { sessionId } = (await send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
    const errors: string[] = [];
    let loaded: () => void = () => {};
    const loadedPromise = new Promise<void>((r) => (loaded = r));
    listeners.push(({ method, params, sessionId: s }) => {
      if (s !== sessionId) return;
      if (method === "Runtime.exceptionThrown") errors.push(`exception: ${JSON.stringify((params.exceptionDetails as { text?: string })?.text ?? params)}`);
      if (method === "Runtime.consoleAPICalled" && (params.type === "error" || params.type === "assert")) errors.push(`console.${String(params.type)}: ${JSON.stringify(params.args)}`);
      if (method === "Log.entryAdded") {
        const entry = params.entry as { level: string; text: string; url?: string };
        if (entry.level === "error") errors.push(`log: ${entry.text} ${entry.url ?? ""}`);
      }
      if (method === "Page.loadEventFired") loaded();
    });
    await send("Runtime.enable", {}, sessionId);
    await send("Log.enable", {}, sessionId);
    await send("Page.enable", {}, sessionId);
    await send("Emulation.setDeviceMetricsOverride", { width: options.width ?? 1200, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
    await send("Page.navigate", { url }, sessionId);
    await loadedPromise;
    await new Promise((r) => setTimeout(r, 300));
    let screenshot: string | undefined;
    if (options.screenshot === true) {
      const shot = (await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true }, sessionId)) as { data: string };
      screenshot = shot.data;
    }
    await send("Browser.close").catch(() => ({}));
    return { errors, screenshot };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}
