/**
 * EXT_INFO (RFC 8308): the extensions a Hush server announces right after its first NEWKEYS,
 * and reading the name lists a peer announces.
 * @module
 */
import type { Message } from "@hush/wire";

/**
 * Server: the EXT_INFO sent right after our first NEWKEYS to a client that asked for it
 * (`ext-info-c`): `server-sig-algs` and `ping@openssh.com`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverExtInfo } from "./ext_info.ts";
 * const m = serverExtInfo(["ssh-ed25519", "rsa-sha2-512"]);
 * assert.equal(m.type, "extInfo");
 * if (m.type === "extInfo") {
 *   assert.deepEqual(m.extensions.map((e) => e.name), ["server-sig-algs", "ping@openssh.com"]);
 * }
 * ```
 */
export function serverExtInfo(serverSigAlgs: readonly string[]): Message {
  return {
    type: "extInfo",
    extensions: [
      { name: "server-sig-algs", value: new TextEncoder().encode(serverSigAlgs.join(",")) },
      { name: "ping@openssh.com", value: new TextEncoder().encode("0") },
    ],
  };
}

/**
 * The names of an extension whose value is a comma-separated name list (`server-sig-algs`),
 * empty names dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nameList } from "./ext_info.ts";
 * assert.deepEqual(nameList(new TextEncoder().encode("ssh-ed25519,,rsa-sha2-512")), [
 *   "ssh-ed25519",
 *   "rsa-sha2-512",
 * ]);
 * ```
 */
export function nameList(value: Uint8Array): string[] {
  return new TextDecoder().decode(value).split(",").filter((s) => s);
}
