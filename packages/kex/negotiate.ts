/**
 * Algorithm negotiation (RFC 4253 §7.1) over the two KEXINITs.
 * @module
 */
import type { KexInit } from "@hush/wire";
import { kexFailed, protocolError } from "./errors.ts";
import { isPseudoAlgorithm, PseudoAlgorithm } from "./kex_init.ts";

/**
 * What the two KEXINITs agreed on.
 *
 * @example
 * ```ts
 * import type { Negotiated } from "@hush/kex";
 * function describe(n: Negotiated): string {
 *   return `${n.kex} ${n.hostKey} ${n.cipherClientToServer} ${n.macClientToServer ?? "<implicit>"}`;
 * }
 * ```
 */
export interface Negotiated {
  /** The key exchange method. */
  kex: string;
  /** The host key (signature) algorithm. */
  hostKey: string;
  /** Cipher, client to server. */
  cipherClientToServer: string;
  /** Cipher, server to client. */
  cipherServerToClient: string;
  /** MAC, client to server; `undefined` when the cipher is AEAD. */
  macClientToServer?: string;
  /** MAC, server to client; `undefined` when the cipher is AEAD. */
  macServerToClient?: string;
  /** Compression, client to server. */
  compressionClientToServer: string;
  /** Compression, server to client. */
  compressionServerToClient: string;
  /** Both sides offered strict kex in the first KEXINIT (OpenSSH `PROTOCOL` §1.9). */
  strictKex: boolean;
  /** The client offered `ext-info-c` in the first KEXINIT (RFC 8308). */
  clientWantsExtInfo: boolean;
  /** The server offered `ext-info-s` in the first KEXINIT (RFC 8308). */
  serverWantsExtInfo: boolean;
  /**
   * A side that set `first_kex_packet_follows` guessed wrong (RFC 4253 §7): the two sides'
   * first kex methods or first host key algorithms differ. The guessed packet must be ignored.
   * Always false when neither side set the flag.
   */
  guessWrong: boolean;
}

/**
 * Options of {@linkcode negotiate}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NegotiateOptions } from "@hush/kex";
 * const options: NegotiateOptions = { isAead: (c) => c.endsWith("@openssh.com"), first: true };
 * assert.equal(options.isAead("aes128-ctr"), false);
 * ```
 */
export interface NegotiateOptions {
  /** Whether a cipher is AEAD (then no MAC is negotiated for it). */
  isAead: (cipher: string) => boolean;
  /** Whether this is the connection's first key exchange (pseudo-algorithms count only then). */
  first: boolean;
}

/**
 * Chooses every algorithm from the client's and the server's KEXINIT by RFC 4253 §7.1: for
 * each, the first algorithm on the client's list that the server's list also has.
 * Pseudo-algorithms are never chosen; a kex method is only chosen when a host key algorithm
 * is common too. No common algorithm is a {@linkcode KexError} with KEY_EXCHANGE_FAILED naming
 * both lists; a malformed name-list is one with PROTOCOL_ERROR.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createKexInit, negotiate } from "@hush/kex";
 * const prefs = { kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"], ciphers: ["aes128-gcm@openssh.com"], macs: [], compression: ["none"] };
 * const n = negotiate(
 *   createKexInit(prefs, { role: "client", first: true }),
 *   createKexInit(prefs, { role: "server", first: true }),
 *   { isAead: (c) => c.includes("gcm"), first: true },
 * );
 * assert.equal(n.kex, "curve25519-sha256");
 * assert.equal(n.macClientToServer, undefined);
 * assert.equal(n.strictKex, true);
 * ```
 */
export function negotiate(client: KexInit, server: KexInit, options: NegotiateOptions): Negotiated {
  for (const init of [client, server]) checkLists(init, init === client ? "client" : "server");
  const { first, isAead } = options;

  const hostKey = choose(
    "host key",
    client.serverHostKeyAlgorithms,
    server.serverHostKeyAlgorithms,
  );
  const clientKex = client.kexAlgorithms.filter((n) => !isPseudoAlgorithm(n));
  const serverKex = server.kexAlgorithms.filter((n) => !isPseudoAlgorithm(n));
  // every method we implement needs a signature-capable host key, which `hostKey` is
  const kex = choose(
    "key exchange",
    clientKex,
    serverKex,
    client.kexAlgorithms,
    server.kexAlgorithms,
  );

  const cipherClientToServer = choose(
    "cipher (client to server)",
    client.encryptionClientToServer,
    server.encryptionClientToServer,
  );
  const cipherServerToClient = choose(
    "cipher (server to client)",
    client.encryptionServerToClient,
    server.encryptionServerToClient,
  );
  const macClientToServer = isAead(cipherClientToServer)
    ? undefined
    : choose("MAC (client to server)", client.macClientToServer, server.macClientToServer);
  const macServerToClient = isAead(cipherServerToClient)
    ? undefined
    : choose("MAC (server to client)", client.macServerToClient, server.macServerToClient);
  const compressionClientToServer = choose(
    "compression (client to server)",
    client.compressionClientToServer,
    server.compressionClientToServer,
  );
  const compressionServerToClient = choose(
    "compression (server to client)",
    client.compressionServerToClient,
    server.compressionServerToClient,
  );

  const guessed = client.firstKexPacketFollows || server.firstKexPacketFollows;
  const guessWrong = guessed &&
    (client.kexAlgorithms[0] !== server.kexAlgorithms[0] ||
      client.serverHostKeyAlgorithms[0] !== server.serverHostKeyAlgorithms[0]);

  return {
    kex,
    hostKey,
    cipherClientToServer,
    cipherServerToClient,
    macClientToServer,
    macServerToClient,
    compressionClientToServer,
    compressionServerToClient,
    strictKex: first &&
      client.kexAlgorithms.includes(PseudoAlgorithm.STRICT_KEX_CLIENT) &&
      server.kexAlgorithms.includes(PseudoAlgorithm.STRICT_KEX_SERVER),
    clientWantsExtInfo: first && client.kexAlgorithms.includes(PseudoAlgorithm.EXT_INFO_CLIENT),
    serverWantsExtInfo: first && server.kexAlgorithms.includes(PseudoAlgorithm.EXT_INFO_SERVER),
    guessWrong,
  };
}

/**
 * Most characters of a name-list quoted in an error: a peer's list may fill a 256 KiB packet,
 * and the error becomes the DISCONNECT it is sent back in (OpenSSH's fit in 1024 bytes).
 */
const QUOTED_LIST_LIMIT = 400;

/** A name-list for an error message, cut at {@linkcode QUOTED_LIST_LIMIT} characters. */
function quoted(list: readonly string[]): string {
  const text = list.join(",");
  if (text.length <= QUOTED_LIST_LIMIT) return text;
  return `${text.slice(0, QUOTED_LIST_LIMIT)}… (${list.length} names)`;
}

function choose(
  what: string,
  client: readonly string[],
  server: readonly string[],
  clientShown: readonly string[] = client,
  serverShown: readonly string[] = server,
): string {
  const theirs = new Set(server);
  for (const name of client) if (theirs.has(name)) return name;
  throw kexFailed(
    `No matching ${what} algorithm: client offered [${quoted(clientShown)}], ` +
      `server offered [${quoted(serverShown)}]`,
  );
}

const LISTS = [
  "kexAlgorithms",
  "serverHostKeyAlgorithms",
  "encryptionClientToServer",
  "encryptionServerToClient",
  "macClientToServer",
  "macServerToClient",
  "compressionClientToServer",
  "compressionServerToClient",
  "languagesClientToServer",
  "languagesServerToClient",
] as const;

function checkLists(init: KexInit, side: string): void {
  if (!(init.cookie instanceof Uint8Array) || init.cookie.length !== 16) {
    throw protocolError(`The ${side}'s KEXINIT cookie is not 16 bytes`);
  }
  for (const key of LISTS) {
    const list = init[key];
    if (!Array.isArray(list)) throw protocolError(`The ${side}'s KEXINIT lacks ${key}`);
    for (const name of list) {
      if (
        typeof name !== "string" || name.length === 0 || /[^\x21-\x2b\x2d-\x7e]/.test(name)
      ) {
        throw protocolError(
          `The ${side}'s KEXINIT has a malformed name in ${key}: ${
            JSON.stringify(typeof name === "string" ? name.slice(0, 64) : name)
          }`,
        );
      }
    }
  }
}
