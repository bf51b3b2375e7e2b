/**
 * noble's stream ciphers write through 32-bit views and refuse an output that is not 4-byte
 * aligned, while a packet sealed into a writer's batch may start at any offset.
 * @module
 */

/**
 * Runs `encrypt` with `dst` as its output when `dst` is 4-byte aligned, else with an aligned
 * scratch array that is copied into `dst` and then zeroed.
 */
export function intoAligned(dst: Uint8Array, encrypt: (out: Uint8Array) => void): void {
  if ((dst.byteOffset & 3) === 0) {
    encrypt(dst);
    return;
  }
  const scratch = new Uint8Array(dst.length);
  encrypt(scratch);
  dst.set(scratch);
  scratch.fill(0);
}
