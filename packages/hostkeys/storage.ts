/**
 * Where a known_hosts file lives: the storage interface and an in-memory implementation.
 * @module
 */

/**
 * A known_hosts file's storage. `update` is an atomic read-modify-write: `fn` gets the text as
 * it is at that moment (`""` when there is none yet) and returns the new text, and no other
 * writer's change is lost in between.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KnownHostsStorage } from "@hush/hostkeys";
 * const storage: KnownHostsStorage = {
 *   name: "inline",
 *   read: () => Promise.resolve("# empty\n"),
 *   update: () => Promise.reject(new Error("Read-only")),
 * };
 * assert.equal(await storage.read(), "# empty\n");
 * ```
 */
export interface KnownHostsStorage {
  /** The text, or `undefined` when the file does not exist. */
  read(): Promise<string | undefined>;
  /** Atomically replaces the text with `fn(current text)`. */
  update(fn: (text: string) => string): Promise<void>;
  /** A name for messages, e.g. the file path. */
  readonly name: string;
}

/**
 * A known_hosts file held in memory (browsers, tests). Updates are serialized, so concurrent
 * `update` calls never lose each other's changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStorage } from "@hush/hostkeys";
 * const storage = new MemoryStorage("# my hosts\n", "memory");
 * await storage.update((text) => text + "# more\n");
 * assert.equal(await storage.read(), "# my hosts\n# more\n");
 * ```
 */
export class MemoryStorage implements KnownHostsStorage {
  /** A name for messages. */
  readonly name: string;
  #text: string | undefined;
  #queue: Promise<void> = Promise.resolve();

  /**
   * Creates an in-memory file.
   * @param text The initial text, or `undefined` for a file that does not exist yet.
   * @param name A name for messages (`"memory"`).
   */
  constructor(text?: string, name = "memory") {
    this.#text = text;
    this.name = name;
  }

  /**
   * The current text.
   * @returns The text, or `undefined` when nothing was ever written.
   */
  read(): Promise<string | undefined> {
    return Promise.resolve(this.#text);
  }

  /**
   * Replaces the text with `fn(current text)`, after any update already running.
   * @param fn Computes the new text from the current one (`""` when there is none).
   */
  update(fn: (text: string) => string): Promise<void> {
    const run = this.#queue.then(() => {
      this.#text = fn(this.#text ?? "");
    });
    this.#queue = run.catch(() => {});
    return run;
  }
}
