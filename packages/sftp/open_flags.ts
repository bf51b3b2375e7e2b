/**
 * The `pflags` of SSH_FXP_OPEN (draft-ietf-secsh-filexfer-02 §6.3) and the `fopen`-style strings
 * the client takes for them.
 * @module
 */

/**
 * Bits of SSH_FXP_OPEN's `pflags`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFlag } from "@hush/sftp";
 * assert.equal(OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.TRUNC, 26);
 * ```
 */
export const OpenFlag = {
  READ: 0x01,
  WRITE: 0x02,
  APPEND: 0x04,
  CREAT: 0x08,
  TRUNC: 0x10,
  EXCL: 0x20,
} as const;

/** How a file is opened: `fopen`-style (`r`, `r+`, `w`, `w+`, `a`, `a+`, `wx`, …). */
export type OpenMode = "r" | "r+" | "w" | "w+" | "wx" | "w+x" | "a" | "a+" | "ax" | "a+x";

const MODES: Record<OpenMode, number> = {
  "r": OpenFlag.READ,
  "r+": OpenFlag.READ | OpenFlag.WRITE,
  "w": OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.TRUNC,
  "w+": OpenFlag.READ | OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.TRUNC,
  "wx": OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.EXCL,
  "w+x": OpenFlag.READ | OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.EXCL,
  "a": OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.APPEND,
  "a+": OpenFlag.READ | OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.APPEND,
  "ax": OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.APPEND | OpenFlag.EXCL,
  "a+x": OpenFlag.READ | OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.APPEND | OpenFlag.EXCL,
};

/**
 * The `pflags` of an `fopen`-style mode string; a number passes through. An unknown string is
 * a TypeError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openFlags } from "@hush/sftp";
 * assert.equal(openFlags("r"), 1);
 * assert.equal(openFlags("w"), 26);
 * ```
 */
export function openFlags(mode: OpenMode | number): number {
  if (typeof mode === "number") {
    if (!Number.isInteger(mode) || mode < 0 || mode > 0xffff_ffff) {
      throw new RangeError(`Bad open flags: ${mode}`);
    }
    return mode;
  }
  const flags = MODES[mode];
  if (flags === undefined) throw new TypeError(`Unknown open mode: ${JSON.stringify(mode)}`);
  return flags;
}
