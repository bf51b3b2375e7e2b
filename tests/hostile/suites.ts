/**
 * Test support: every cipher suite Hush speaks (cipher, and MAC for the non-AEAD ones), with
 * the options that make a victim and a hostile peer agree on it.
 * @module
 */
import type { PeerAlgorithms } from "./peer.ts";

/** A cipher suite: a cipher, and a MAC unless the cipher is AEAD. */
export interface Suite {
  cipher: string;
  mac?: string;
}

/** Every suite, AEAD and encrypt-and-MAC and encrypt-then-MAC, each MAC at least once. */
export const SUITES: readonly Suite[] = [
  { cipher: "chacha20-poly1305@openssh.com" },
  { cipher: "aes128-gcm@openssh.com" },
  { cipher: "aes256-gcm@openssh.com" },
  { cipher: "aes128-ctr", mac: "hmac-sha2-256" },
  { cipher: "aes128-ctr", mac: "hmac-sha2-256-etm@openssh.com" },
  { cipher: "aes192-ctr", mac: "hmac-sha1" },
  { cipher: "aes192-ctr", mac: "hmac-sha1-etm@openssh.com" },
  { cipher: "aes256-ctr", mac: "hmac-sha2-512" },
  { cipher: "aes256-ctr", mac: "hmac-sha2-512-etm@openssh.com" },
];

/** `aes128-ctr+hmac-sha2-256`, or the cipher alone. */
export function suiteName(s: Suite): string {
  return s.mac ? `${s.cipher}+${s.mac}` : s.cipher;
}

/** Algorithm preferences (for a victim's `algorithms` option) that allow only `s`. */
export function only(s: Suite): { ciphers: string[]; macs: string[] } {
  return { ciphers: [s.cipher], macs: s.mac ? [s.mac] : ["hmac-sha2-256-etm@openssh.com"] };
}

/** The hostile peer's algorithms for `s`. */
export function peerOnly(s: Suite): PeerAlgorithms {
  return only(s);
}
