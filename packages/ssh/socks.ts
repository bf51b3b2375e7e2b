/**
 * The SOCKS server side of `ssh -D`: SOCKS4, SOCKS4a (the name sent, resolved by the SSH
 * server) and SOCKS5 (RFC 1928) with no authentication and the CONNECT command only, as
 * OpenSSH's dynamic forwarding speaks it. An incremental parser (bytes in, the reply to send
 * and the request out) and the replies; every length a client sends is bounded before it is
 * waited for, and anything else gets the protocol's error reply and a close.
 * @module
 */

/** SOCKS4 user ids and SOCKS4a host names longer than this are refused. */
export const SOCKS_NAME_LIMIT = 255;
/** A client may send at most this much before its request is complete. */
export const SOCKS_HANDSHAKE_LIMIT = 1024;

/**
 * SOCKS5 reply codes (RFC 1928 §6).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Socks5Reply } from "./socks.ts";
 * assert.equal(Socks5Reply.CONNECTION_REFUSED, 5);
 * ```
 */
export const Socks5Reply = {
  SUCCEEDED: 0,
  GENERAL_FAILURE: 1,
  NOT_ALLOWED: 2,
  NETWORK_UNREACHABLE: 3,
  HOST_UNREACHABLE: 4,
  CONNECTION_REFUSED: 5,
  COMMAND_NOT_SUPPORTED: 7,
  ADDRESS_TYPE_NOT_SUPPORTED: 8,
} as const;

/** A SOCKS5 reply code. */
export type Socks5ReplyCode = typeof Socks5Reply[keyof typeof Socks5Reply];

/**
 * A CONNECT request: where the client wants to go.
 *
 * @example
 * ```ts
 * import type { SocksRequest } from "@hush/ssh";
 * const r: SocksRequest = { version: 5, host: "example.org", port: 443 };
 * ```
 */
export interface SocksRequest {
  /** 4 (also 4a) or 5. */
  version: 4 | 5;
  /** A host name (SOCKS4a, SOCKS5) or an IPv4/IPv6 address. */
  host: string;
  /** The port. */
  port: number;
}

/**
 * What {@linkcode SocksHandshake.feed} found: wait for more bytes; the request is complete
 * (with bytes the client sent after it); or the client must be told no and closed. `reply`,
 * when present, is to be sent first (SOCKS5's method choice, or the error reply).
 *
 * @example
 * ```ts
 * import type { SocksStep } from "./socks.ts";
 * const done = (s: SocksStep) => s.type !== "more";
 * ```
 */
export type SocksStep =
  | { type: "more"; reply?: Uint8Array }
  | { type: "request"; request: SocksRequest; rest: Uint8Array; reply?: Uint8Array }
  | { type: "error"; message: string; reply?: Uint8Array };

/**
 * The reply to a request: granted, or refused (SOCKS5 with `code`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { socksReply } from "./socks.ts";
 * assert.deepEqual(socksReply(5, 0), new Uint8Array([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
 * assert.deepEqual(socksReply(4, 0), new Uint8Array([0, 90, 0, 0, 0, 0, 0, 0]));
 * ```
 */
export function socksReply(version: 4 | 5, code: Socks5ReplyCode): Uint8Array {
  if (version === 4) return Uint8Array.of(0, code === 0 ? 0x5a : 0x5b, 0, 0, 0, 0, 0, 0);
  // the bound address is not known on this side: 0.0.0.0:0, as OpenSSH answers
  return Uint8Array.of(5, code, 0, 1, 0, 0, 0, 0, 0, 0);
}

const SOCKS5_NO_AUTH = 0;
const SOCKS5_NO_METHOD = 0xff;
const CONNECT = 1;

/**
 * Reads a client's SOCKS handshake as its bytes arrive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SocksHandshake } from "./socks.ts";
 * const h = new SocksHandshake();
 * const greeting = h.feed(Uint8Array.of(5, 1, 0));
 * assert.equal(greeting.type, "more");
 * assert.deepEqual(greeting.reply, Uint8Array.of(5, 0));
 * const name = new TextEncoder().encode("example.org");
 * const step = h.feed(Uint8Array.of(5, 1, 0, 3, name.length, ...name, 0, 80));
 * assert.deepEqual(
 *   step.type === "request" && step.request,
 *   { version: 5, host: "example.org", port: 80 },
 * );
 * ```
 */
export class SocksHandshake {
  #buffer = new Uint8Array(0);
  #state: "start" | "socks5-request" | "done" = "start";

  /** Takes the next bytes from the client and says what to do. */
  feed(bytes: Uint8Array): SocksStep {
    if (this.#state === "done") return { type: "error", message: "Handshake is over" };
    if (this.#buffer.length + bytes.length > SOCKS_HANDSHAKE_LIMIT) {
      this.#state = "done";
      return {
        type: "error",
        message: `More than ${SOCKS_HANDSHAKE_LIMIT} bytes before a complete request`,
        reply: this.#errorReply(),
      };
    }
    const joined = new Uint8Array(this.#buffer.length + bytes.length);
    joined.set(this.#buffer);
    joined.set(bytes, this.#buffer.length);
    this.#buffer = joined;
    const step = this.#step();
    if (step.type !== "more") this.#state = "done";
    return step;
  }

  /** The error reply for the protocol spoken so far (none before the version is known). */
  #errorReply(): Uint8Array | undefined {
    if (this.#state === "socks5-request") return socksReply(5, Socks5Reply.GENERAL_FAILURE);
    if (this.#buffer[0] === 4) return socksReply(4, Socks5Reply.GENERAL_FAILURE);
    if (this.#buffer[0] === 5) return Uint8Array.of(5, SOCKS5_NO_METHOD);
    return undefined;
  }

  #step(): SocksStep {
    const b = this.#buffer;
    if (this.#state === "socks5-request") return this.#socks5Request();
    if (b.length < 1) return { type: "more" };
    if (b[0] === 4) return this.#socks4();
    if (b[0] === 5) {
      if (b.length < 2) return { type: "more" };
      const n = b[1];
      if (b.length < 2 + n) return { type: "more" };
      if (!b.subarray(2, 2 + n).includes(SOCKS5_NO_AUTH)) {
        return {
          type: "error",
          message: "The client offers no authentication method Hush takes (none)",
          reply: Uint8Array.of(5, SOCKS5_NO_METHOD),
        };
      }
      this.#buffer = b.slice(2 + n);
      this.#state = "socks5-request";
      const step = this.#socks5Request();
      const choice = Uint8Array.of(5, SOCKS5_NO_AUTH);
      if (step.type === "error") return { ...step, reply: concat(choice, step.reply) };
      return { ...step, reply: step.reply ? concat(choice, step.reply) : choice };
    }
    return { type: "error", message: `Not a SOCKS request (version ${b[0]})` };
  }

  #socks4(): SocksStep {
    const b = this.#buffer;
    if (b.length < 8) return { type: "more" };
    const fail = (message: string): SocksStep => ({
      type: "error",
      message,
      reply: socksReply(4, Socks5Reply.GENERAL_FAILURE),
    });
    const userEnd = b.indexOf(0, 8);
    if (userEnd === -1) {
      if (b.length - 8 > SOCKS_NAME_LIMIT) return fail("SOCKS4 user id too long");
      return { type: "more" };
    }
    if (userEnd - 8 > SOCKS_NAME_LIMIT) return fail("SOCKS4 user id too long");
    const port = (b[2] << 8) | b[3];
    let host = `${b[4]}.${b[5]}.${b[6]}.${b[7]}`;
    let end = userEnd + 1;
    // SOCKS4a: an address 0.0.0.x (x ≠ 0) means a host name follows the user id
    if (b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] !== 0) {
      const nameEnd = b.indexOf(0, end);
      if (nameEnd === -1) {
        if (b.length - end > SOCKS_NAME_LIMIT) return fail("SOCKS4a host name too long");
        return { type: "more" };
      }
      if (nameEnd - end > SOCKS_NAME_LIMIT) return fail("SOCKS4a host name too long");
      const name = hostName(b.subarray(end, nameEnd));
      if (name === undefined) return fail("SOCKS4a host name is not a name");
      host = name;
      end = nameEnd + 1;
    }
    if (b[1] !== CONNECT) return fail(`SOCKS4 command ${b[1]} is not supported (CONNECT only)`);
    if (port === 0) return fail("SOCKS4 request for port 0");
    return { type: "request", request: { version: 4, host, port }, rest: b.slice(end) };
  }

  #socks5Request(): SocksStep {
    const b = this.#buffer;
    if (b.length < 4) return { type: "more" };
    const fail = (code: Socks5ReplyCode, message: string): SocksStep => ({
      type: "error",
      message,
      reply: socksReply(5, code),
    });
    if (b[0] !== 5) return fail(Socks5Reply.GENERAL_FAILURE, `SOCKS5 request of version ${b[0]}`);
    let host: string;
    let at: number;
    switch (b[3]) {
      case 1: // IPv4
        if (b.length < 10) return { type: "more" };
        host = `${b[4]}.${b[5]}.${b[6]}.${b[7]}`;
        at = 8;
        break;
      case 3: { // a host name, its length first
        if (b.length < 5) return { type: "more" };
        const n = b[4];
        if (b.length < 5 + n + 2) return { type: "more" };
        const name = n === 0 ? undefined : hostName(b.subarray(5, 5 + n));
        if (name === undefined) {
          return fail(Socks5Reply.GENERAL_FAILURE, "SOCKS5 host name is not a name");
        }
        host = name;
        at = 5 + n;
        break;
      }
      case 4: { // IPv6
        if (b.length < 22) return { type: "more" };
        const words: string[] = [];
        for (let i = 0; i < 8; i++) words.push(((b[4 + 2 * i] << 8) | b[5 + 2 * i]).toString(16));
        host = words.join(":");
        at = 20;
        break;
      }
      default:
        return fail(Socks5Reply.ADDRESS_TYPE_NOT_SUPPORTED, `SOCKS5 address type ${b[3]}`);
    }
    if (b[1] !== CONNECT) {
      return fail(Socks5Reply.COMMAND_NOT_SUPPORTED, `SOCKS5 command ${b[1]} (CONNECT only)`);
    }
    const port = (b[at] << 8) | b[at + 1];
    if (port === 0) return fail(Socks5Reply.GENERAL_FAILURE, "SOCKS5 request for port 0");
    return { type: "request", request: { version: 5, host, port }, rest: b.slice(at + 2) };
  }
}

/** A host name as sent: printable ASCII, no spaces; undefined otherwise. */
function hostName(bytes: Uint8Array): string | undefined {
  for (const c of bytes) if (c <= 0x20 || c >= 0x7f) return undefined;
  return String.fromCharCode(...bytes);
}

function concat(a: Uint8Array, b: Uint8Array | undefined): Uint8Array {
  if (!b) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The SOCKS5 reply code for a refused `direct-tcpip` open (RFC 4254 §5.1 reason codes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { socksReplyForOpenFailure } from "./socks.ts";
 * assert.equal(socksReplyForOpenFailure(2, "Connection refused"), 5);
 * ```
 */
export function socksReplyForOpenFailure(
  reason: number | undefined,
  description = "",
): Socks5ReplyCode {
  if (reason === 1) return Socks5Reply.NOT_ALLOWED;
  if (/refused/i.test(description)) return Socks5Reply.CONNECTION_REFUSED;
  if (reason === 2) return Socks5Reply.HOST_UNREACHABLE;
  return Socks5Reply.GENERAL_FAILURE;
}
