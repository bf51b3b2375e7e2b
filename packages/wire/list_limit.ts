/**
 * The bound on the lists a peer counts out itself (EXT_INFO's extensions, keyboard-interactive's
 * prompts and responses): a count is checked against it before anything is read, so a peer's
 * uint32 never sizes a loop or an array. Shared by the transport and authentication codecs.
 * @module
 */
import { WireError } from "./errors.ts";
import type { SshReader } from "./reader.ts";

/** Most extensions an EXT_INFO may carry, and most prompts an INFO_REQUEST/RESPONSE. */
export const LIST_LIMIT = 64;

/** Reads a list's uint32 count, refusing one above {@linkcode LIST_LIMIT}. */
export function readCount(r: SshReader, what: string): number {
  const n = r.uint32();
  if (n > LIST_LIMIT) throw new WireError(`Too many ${what}: ${n} (limit ${LIST_LIMIT})`);
  return n;
}
