/// <reference lib="dom" />
/**
 * A real headless Chromium for the browser tests: Debian's `chromium` (installed by `.ci/run`),
 * driven by `playwright-core` (npm; it never downloads a browser), with a fresh profile each run.
 * Pages are served from http://127.0.0.1 so that they are a secure context (`crypto.subtle`).
 *
 * Locally a test skips with a clear message when chromium is missing; under `CI=true` that is
 * a failure.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { findBinary } from "../helpers/openssh.ts";

/** Chromium's flags for a quiet, reproducible headless run (as root it needs --no-sandbox). */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The chromium binary (`$CHROMIUM`, else `chromium` or `chromium-browser` on the PATH). */
export function findChromium(): string | undefined {
  return process.env.CHROMIUM || findBinary("chromium") || findBinary("chromium-browser");
}

/**
 * Why a browser test must be skipped (no chromium), or `undefined` when it can run. Under
 * `CI=true` a missing chromium throws, so the test fails instead of skipping.
 */
export function requireChromium(): string | undefined {
  if (findChromium()) return undefined;
  const message = "chromium is not installed (apt-get install chromium): skipping the browser test";
  if (process.env.CI === "true") throw new Error(`${message}; under CI this is a failure`);
  return message;
}

/** A running browser with its own fresh profile. */
export interface TestBrowser {
  context: BrowserContext;
  /** Lines the pages printed to their console (errors first of all). */
  console: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Starts headless chromium with a fresh `--user-data-dir`. */
export async function launchChromium(): Promise<TestBrowser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error("chromium is not installed");
  const profile = mkdtempSync(join(tmpdir(), "hush-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: { width: 1000, height: 800 },
  });
  const lines: string[] = [];
  const watch = (page: Page) => {
    page.on("console", (m) => lines.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => lines.push(`pageerror: ${e.message}`));
  };
  context.on("page", watch);
  for (const page of context.pages()) watch(page);
  return {
    context,
    console: lines,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The terminal's text as xterm.js shows it (its DOM rows). */
export async function terminalText(page: Page): Promise<string> {
  const text = await page.locator("#terminal .xterm-rows").innerText();
  // xterm.js draws spaces as no-break spaces; lines are padded to the terminal's width
  return text.replace(/\u00a0/g, " ").split("\n").map((l) => l.trimEnd()).join("\n");
}

/** Waits until the terminal shows text matching `pattern`; fails with what it shows. */
export async function waitForTerminal(
  page: Page,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await terminalText(page);
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) {
      throw new Error(`The terminal never showed ${pattern}; it shows:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for `<body data-state>` to become one of `states`; fails with the page's status. */
export async function waitForState(
  page: Page,
  states: string[],
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await page.evaluate(() => document.body.dataset.state ?? "");
    if (states.includes(state)) return state;
    if (Date.now() > deadline) {
      throw new Error(
        `The page stayed "${state}", not ${states.join("/")}; status: ${await statusText(page)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The page's status line(s) under the form. */
export async function statusText(page: Page): Promise<string> {
  return await page.locator("#status").innerText();
}

/**
 * How many pixels of a PNG differ from its most common colour (the background), counted by the
 * browser itself (it decodes the image into a canvas): a blank screenshot has none, a line of
 * text some hundreds.
 */
export async function differingPixels(page: Page, png: Uint8Array): Promise<number> {
  let binary = "";
  for (const b of png) binary += String.fromCharCode(b);
  return await page.evaluate(async (b64: string) => {
    const image = new Image();
    image.src = `data:image/png;base64,${b64}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const g = canvas.getContext("2d")!;
    g.drawImage(image, 0, 0);
    const { data } = g.getImageData(0, 0, image.width, image.height);
    const counts = new Map<number, number>();
    for (let i = 0; i < data.length; i += 4) {
      const rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
    }
    const background = Math.max(...counts.values());
    return data.length / 4 - background;
  }, btoa(binary));
}
