/**
 * A raw peer that speaks plaintext packets, for tests that break the rules of the first key
 * exchange against a real Hush end (the "victim").
 * @module
 */
import assert from "node:assert/strict";
import { createKexInit } from "@hush/kex";
import {
  decodeMessage,
  encodeMessage,
  type Message,
  NoneSealer,
  PacketReader,
  PacketWriter,
  readVersionLine,
} from "@hush/wire";
import { DisconnectError, startTransport, type Transport, type TransportOptions } from "../mod.ts";
import { type MemoryDuplex, memoryDuplexPair } from "../testing.ts";
import { hostKey } from "./transport_pair.ts";

/** A peer that speaks plaintext packets: enough to break the rules of the first key exchange. */
export class RawPeer {
  #w: WritableStreamDefaultWriter<Uint8Array>;
  #writer = new PacketWriter();
  #packets?: ReadableStreamDefaultReader<{ payload: Uint8Array; sequence: number }>;
  #duplex: MemoryDuplex;

  constructor(duplex: MemoryDuplex) {
    this.#duplex = duplex;
    this.#w = this.#writer.writable.getWriter();
  }

  /** Exchanges version lines as `role`, then reads plaintext packets. */
  async start(role: "client" | "server"): Promise<void> {
    const w = this.#duplex.writable.getWriter();
    await w.write(new TextEncoder().encode("SSH-2.0-Raw_1.0\r\n"));
    w.releaseLock();
    this.#writer.readable.pipeTo(this.#duplex.writable).catch(() => {});
    const { rest } = await readVersionLine(this.#duplex.readable, {
      role: role === "client" ? "client" : "server",
    });
    const reader = new PacketReader();
    rest.pipeTo(reader.writable).catch(() => {});
    this.#packets = reader.readable.getReader();
  }

  /** NEWKEYS, with the same plaintext framing after it. */
  sendNewKeys(): Promise<void> {
    this.#writer.nextSealer(new NoneSealer());
    return this.send({ type: "newKeys" });
  }

  /** Sends `m` in a plaintext packet. */
  send(m: Message): Promise<void> {
    return this.#w.write(encodeMessage(m));
  }

  /** A KEXINIT of `role` for curve25519, ed25519 and aes128-ctr, announcing strict kex or not. */
  kexInit(role: "client" | "server", strict: boolean): Message {
    return createKexInit({
      kex: ["curve25519-sha256"],
      hostKey: ["ssh-ed25519"],
      ciphers: ["aes128-ctr"],
      macs: ["hmac-sha2-256"],
      compression: ["none"],
    }, { role, first: strict });
  }

  /** The victim's messages, in order, until it closes. */
  async next(): Promise<Message | undefined> {
    const { value, done } = await this.#packets!.read().catch(() => ({
      done: true,
      value: undefined,
    }));
    if (done || !value) return undefined;
    return decodeMessage(value.payload, { kex: "ecdh" });
  }

  /** Reads until a DISCONNECT (or the end) and returns it. */
  async disconnect(): Promise<Message & { type: "disconnect" }> {
    for (;;) {
      const m = await this.next();
      assert.ok(m, "closed without DISCONNECT");
      if (m.type === "disconnect") return m;
    }
  }
}

/** A victim of `role` and a raw peer playing the other role, versions exchanged. */
export async function victimAndRaw(
  role: "client" | "server",
  options: Partial<TransportOptions> = {},
): Promise<{ victim: Promise<Transport>; raw: RawPeer; rawRole: "client" | "server" }> {
  const [a, b] = memoryDuplexPair();
  const raw = new RawPeer(b);
  const victim = startTransport(a, {
    role,
    ...(role === "server" ? { hostKeys: [await hostKey()] } : { verifyHostKey: () => {} }),
    algorithms: { kex: ["curve25519-sha256"], ciphers: ["aes128-ctr"], macs: ["hmac-sha2-256"] },
    ...options,
  });
  victim.catch(() => {});
  await raw.start(role === "client" ? "server" : "client");
  assert.equal((await raw.next())?.type, "kexInit");
  return { victim, raw, rawRole: role === "client" ? "server" as const : "client" as const };
}

/** Asserts that `victim` fails with a DisconnectError of `reason` matching `pattern`. */
export async function rejects(
  victim: Promise<Transport>,
  pattern: RegExp,
  reason = 2,
): Promise<void> {
  await assert.rejects(victim, (e: unknown) => {
    assert.ok(e instanceof DisconnectError, String(e));
    assert.equal(e.reason, reason, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}
