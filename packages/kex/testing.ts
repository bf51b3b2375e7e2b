/**
 * Test support (not exported from mod.ts): a deterministic random source, a throwaway Ed25519
 * host key signer built from a seed, and a loop that runs a client and a server exchange
 * against each other through the wire codec.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import type { PublicKey, Signer } from "@hush/keys";
import { decodeMessage, encodeMessage, type RandomSource, SshWriter } from "@hush/wire";
import type { KexExchange, KexResult } from "./exchange.ts";

/** A random source that hands out `bytes` in order and throws once they run out. */
export function fixedRandom(bytes: Uint8Array): RandomSource & { remaining(): number } {
  let off = 0;
  const f = (n: number): Uint8Array => {
    if (off + n > bytes.length) throw new Error(`Fixed random source exhausted (${n} asked)`);
    const out = bytes.slice(off, off + n);
    off += n;
    return out;
  };
  return Object.assign(f, { remaining: () => bytes.length - off });
}

/**
 * A test-only Ed25519 Signer from a 32-byte seed. Its public key can verify too, but tests
 * check signatures with `@hush/keys` parsePublicKey.
 */
export function ed25519TestSigner(seed: Uint8Array): Signer {
  const pub = ed25519.getPublicKey(seed);
  const blob = new SshWriter().string("ssh-ed25519").string(pub).finish();
  const publicKey = {
    type: "ssh-ed25519",
    blob,
    signatureAlgorithms: ["ssh-ed25519"],
    verify: () => Promise.reject(new Error("Use @hush/keys parsePublicKey to verify")),
  } as unknown as PublicKey;
  return {
    publicKey,
    sign(data: Uint8Array, algorithm = "ssh-ed25519"): Promise<Uint8Array> {
      if (algorithm !== "ssh-ed25519") return Promise.reject(new Error(`Cannot sign ${algorithm}`));
      const sig = ed25519.sign(data, seed);
      return Promise.resolve(new SshWriter().string("ssh-ed25519").string(sig).finish());
    },
  };
}

/** The transcript and both results of a client↔server exchange. */
export interface ExchangeRun {
  /** Every payload sent, in order (client's and server's interleaved as they happened). */
  transcript: Uint8Array[];
  /** The client's result. */
  client: KexResult;
  /** The server's result. */
  server: KexResult;
}

/**
 * Runs two exchanges against each other, every message encoded and decoded again with the
 * receiver's decode context, as the transport would.
 */
export async function runExchange(client: KexExchange, server: KexExchange): Promise<ExchangeRun> {
  const transcript: Uint8Array[] = [];
  let clientResult: KexResult | undefined;
  let serverResult: KexResult | undefined;
  const toServer = [...(await client.start())];
  const toClient = [...(await server.start())];
  for (let rounds = 0; rounds < 10 && !(clientResult && serverResult); rounds++) {
    while (toServer.length) {
      const payload = encodeMessage(toServer.shift()!);
      transcript.push(payload);
      const { reply, result } = await server.receive(decodeMessage(payload, server.decodeContext));
      toClient.push(...reply);
      if (result) serverResult = result;
    }
    while (toClient.length) {
      const payload = encodeMessage(toClient.shift()!);
      transcript.push(payload);
      const { reply, result } = await client.receive(decodeMessage(payload, client.decodeContext));
      toServer.push(...reply);
      if (result) clientResult = result;
    }
  }
  if (!clientResult || !serverResult) throw new Error("Exchange did not finish");
  return { transcript, client: clientResult, server: serverResult };
}

/** Hex of bytes. */
export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, "0");
  return s;
}

/** Bytes of hex. */
export function fromHex(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}
