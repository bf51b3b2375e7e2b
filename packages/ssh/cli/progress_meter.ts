/**
 * OpenSSH's progress meter (progressmeter.c), as `sftp` and `scp` draw it on a terminal: the
 * file name, percent, bytes so far, a rate averaged over time, and the time left (or taken),
 * redrawn every second over one line.
 * @module
 */

const UNITS = " KMGT";
/** Seconds without progress before the meter says "stalled". */
const STALL_TIME = 5;
/** Weight of the past in the averaged rate. */
const AGE_FACTOR = 0.9;
/** Seconds between redraws. */
const UPDATE_INTERVAL = 1;

/**
 * A byte count as the meter writes it: four digits and a unit (`  64MB`, ` 512 `).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSize } from "./progress_meter.ts";
 * assert.equal(formatSize(67108864), "  64MB");
 * assert.equal(formatSize(512), " 512  ");
 * ```
 */
export function formatSize(bytes: number): string {
  let i = 0;
  for (; bytes >= 10000 && UNITS[i] !== "T"; i++) bytes = Math.floor((bytes + 512) / 1024);
  return `${String(Math.floor(bytes)).padStart(4)}${UNITS[i]}${i ? "B" : " "}`;
}

/**
 * A rate as the meter writes it, with one decimal (`290.4MB`, `  0.0KB`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRate } from "./progress_meter.ts";
 * assert.equal(formatRate(0), "  0.0KB");
 * assert.equal(formatRate(1536), "  1.5KB");
 * ```
 */
export function formatRate(bytes: number): string {
  let b = Math.floor(bytes * 100);
  let i = 0;
  for (; b >= 100 * 1000 && UNITS[i] !== "T"; i++) b = Math.floor((b + 512) / 1024);
  if (i === 0) {
    i++;
    b = Math.floor((b + 512) / 1024);
  }
  const whole = Math.floor((b + 5) / 100);
  const tenth = Math.floor((b + 5) / 10) % 10;
  return `${String(whole).padStart(3)}.${tenth}${UNITS[i]}${i ? "B" : " "}`;
}

/**
 * One line of the meter, `width` − 1 columns (leading `\r` not counted), as OpenSSH 9 draws it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressLine } from "./progress_meter.ts";
 * const line = progressLine({ name: "src64", position: 67108864, total: 67108864, rate: 304_500_000, seconds: 0, stalled: 0, width: 80 });
 * assert.equal(
 *   line.trimEnd(),
 *   "src64                                         100%   64MB 290.4MB/s   00:00",
 * );
 * ```
 */
export function progressLine(p: {
  name: string;
  position: number;
  total: number;
  /** Averaged bytes per second. */
  rate: number;
  /** Seconds taken, shown once done. */
  seconds: number;
  /** Seconds without progress. */
  stalled: number;
  width: number;
}): string {
  const nameWidth = p.width - 35;
  let line = nameWidth > 0 ? [...p.name].slice(0, nameWidth).join("").padEnd(nameWidth) : "";
  const percent = p.total === 0 || p.position === p.total
    ? 100
    : Math.floor((p.position / p.total) * 100);
  line += ` ${String(percent).padStart(3)}% `;
  line += formatSize(p.position) + " ";
  line += formatRate(p.rate) + "/s ";
  const left = p.total - p.position;
  if (p.stalled >= STALL_TIME) line += "- stalled -";
  else if (p.rate === 0 && left > 0) line += "  --:-- ETA";
  else {
    let seconds = Math.floor(left > 0 ? left / p.rate : p.seconds);
    const hours = Math.floor(seconds / 3600);
    seconds -= hours * 3600;
    const minutes = Math.floor(seconds / 60);
    seconds -= minutes * 60;
    const two = (n: number) => String(n).padStart(2, "0");
    line += hours
      ? `${hours}:${two(minutes)}:${two(seconds)}`
      : `  ${two(minutes)}:${two(seconds)}`;
    line += left > 0 ? " ETA" : "    ";
  }
  return line.slice(0, p.width - 1);
}

/** Options of {@linkcode ProgressMeter}. */
export interface ProgressMeterOptions {
  /** Where lines go (the terminal). */
  write: (text: string) => void;
  /** Terminal width (80). */
  width?: number;
  /** Seconds since some fixed point (default `performance.now() / 1000`). */
  now?: () => number;
  /** Redraw every second by itself (default true; tests call `refresh`). */
  timer?: boolean;
}

/**
 * A running meter for one file: `update(position)` as bytes arrive, `finish()` draws the last
 * line and a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressMeter } from "./progress_meter.ts";
 * let out = "";
 * const meter = new ProgressMeter("notes.txt", 0, 1000, { write: (t) => (out += t), timer: false });
 * meter.update(1000);
 * meter.finish();
 * assert.equal(out.includes("100%"), true);
 * ```
 */
export class ProgressMeter {
  #name: string;
  #start: number;
  #lastUpdate: number;
  #startPos: number;
  #curPos: number;
  #position: number;
  #end: number;
  #rate = 0;
  #stalled = 0;
  #options: ProgressMeterOptions;
  #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Starts the meter at `startPosition` (a resumed transfer) of `total`, drawing at once. */
  constructor(
    name: string,
    startPosition: number,
    total: number,
    options: ProgressMeterOptions,
  ) {
    this.#name = name;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now() / 1000);
    this.#start = this.#lastUpdate = this.#now();
    this.#startPos = this.#curPos = this.#position = startPosition;
    this.#end = total;
    this.refresh();
    if (options.timer ?? true) {
      this.#timer = setInterval(() => this.refresh(), UPDATE_INTERVAL * 1000);
      // a meter must not keep the process alive
      Deno.unrefTimer(this.#timer as unknown as number);
    }
  }

  /** Bytes done so far (from the start of the file). */
  update(position: number): void {
    this.#position = position;
  }

  /** Redraws the line. */
  refresh(): void {
    let transferred = this.#position - this.#curPos;
    this.#curPos = this.#position;
    const now = this.#now();
    const left = this.#end - this.#curPos;
    let elapsed: number;
    if (left > 0) elapsed = now - this.#lastUpdate;
    else {
      elapsed = now - this.#start;
      transferred = this.#end - this.#startPos;
      this.#rate = 0;
    }
    const speed = elapsed !== 0 ? transferred / elapsed : transferred;
    this.#rate = this.#rate !== 0 ? this.#rate * AGE_FACTOR + speed * (1 - AGE_FACTOR) : speed;
    this.#stalled = transferred ? 0 : this.#stalled + elapsed;
    this.#lastUpdate = now;
    this.#options.write(
      "\r" + progressLine({
        name: this.#name,
        position: this.#curPos,
        total: this.#end,
        rate: this.#rate,
        seconds: elapsed,
        stalled: this.#stalled,
        width: this.#options.width ?? 80,
      }),
    );
  }

  /** Draws the final line (if it moved since) and ends it. */
  finish(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#curPos !== this.#end || this.#position !== this.#curPos) this.refresh();
    this.#options.write("\n");
  }
}
