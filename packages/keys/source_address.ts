/**
 * Matching a client address against a certificate's `source-address` critical option: a
 * comma-separated list of IPv4 and IPv6 addresses with optional CIDR prefix lengths.
 * @module
 */
import { KeyError } from "./errors.ts";

/** An address as 4 (IPv4) or 16 (IPv6) bytes, or undefined if it is not one. */
function parseAddress(text: string): Uint8Array | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split(".").map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return new Uint8Array(parts);
  }
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(":")) return undefined;
  let head = text;
  let v4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    v4 = parseAddress(text.slice(lastColon + 1));
    if (!v4 || v4.length !== 4) return undefined;
    head = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const group = (s: string): number[] | undefined => {
    if (s === "") return [];
    const gs = s.split(":");
    if (gs.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return gs.map((g) => parseInt(g, 16));
  };
  const left = group(halves[0]);
  const right = halves.length === 2 ? group(halves[1]) : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...left, ...new Array(missing).fill(0), ...right];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  if (v4) out.set(v4, 12);
  return out;
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as its IPv4 address. */
function unmap(a: Uint8Array): Uint8Array {
  if (a.length !== 16) return a;
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return a;
  return a[10] === 0xff && a[11] === 0xff ? a.subarray(12) : a;
}

/**
 * Whether `address` (an IPv4 or IPv6 literal, e.g. a peer's remote address) is in the
 * comma-separated CIDR `list` of a `source-address` option (`10.0.0.0/8,2001:db8::/32,
 * 192.168.1.1`). IPv4-mapped IPv6 addresses match as IPv4. A malformed list entry is a
 * {@linkcode KeyError} (the certificate is refused, as OpenSSH does); an address that is not
 * an IP literal never matches.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchSourceAddress } from "@hush/keys";
 * assert.equal(matchSourceAddress("10.0.0.0/8,2001:db8::/32", "10.1.2.3"), true);
 * assert.equal(matchSourceAddress("10.0.0.0/8,2001:db8::/32", "::ffff:192.168.0.1"), false);
 * ```
 */
export function matchSourceAddress(list: string, address: string): boolean {
  const parsed = parseAddress(address.replace(/%.*$/, ""));
  const addr = parsed && unmap(parsed);
  let matched = false;
  for (const entry of list.split(",")) {
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(entry);
    const net = m && parseAddress(m[1]);
    const bits = m && m[2] !== undefined ? Number(m[2]) : net ? net.length * 8 : 0;
    if (!m || !net || bits > net.length * 8) {
      throw new KeyError(`Invalid source-address entry ${JSON.stringify(entry)}`);
    }
    // Host bits set below the prefix make the entry invalid (as OpenSSH's addr_pton_cidr).
    for (let i = 0; i < net.length; i++) {
      const keep = Math.max(0, Math.min(8, bits - 8 * i));
      if (net[i] & (0xff >> keep)) {
        throw new KeyError(`Invalid source-address entry ${JSON.stringify(entry)}`);
      }
    }
    if (!addr || addr.length !== net.length || matched) continue;
    let ok = true;
    for (let i = 0; i < net.length && ok; i++) {
      const keep = Math.max(0, Math.min(8, bits - 8 * i));
      const mask = (0xff00 >> keep) & 0xff;
      ok = (addr[i] & mask) === net[i];
    }
    matched = ok;
  }
  return matched;
}
