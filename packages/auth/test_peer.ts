/**
 * Test support (not published): an in-memory MessageConn pair that round-trips messages through
 * the wire codec like a transport, and an ed25519 signer built from @noble/curves.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { parsePublicKey, type Signer } from "@hush/keys";
import {
  decodeMessage,
  encodeMessage,
  type Message,
  type MessageConn,
  SshWriter,
} from "@hush/wire";

/** One end of {@linkcode connPair}. */
export interface TestConn extends MessageConn {
  /** The DISCONNECT sent on this pair, once one was. */
  disconnected?: { reason: number; description: string; by: "us" | "peer" };
  /** Every message this end sent, in order. */
  sent: Message[];
}

/** Two connected ends; 60-series messages arrive as `unknown`, as from the transport. */
export function connPair(): [TestConn, TestConn] {
  const controllers: ReadableStreamDefaultController<Message>[] = [];
  const ends: TestConn[] = [];
  let closed = false;
  for (let i = 0; i < 2; i++) {
    const messages = new ReadableStream<Message>({ start: (c) => void (controllers[i] = c) });
    const end: TestConn = {
      messages,
      sent: [],
      send(message: Message): Promise<void> {
        if (closed) return Promise.reject(new Error("Connection closed"));
        end.sent.push(message);
        try {
          controllers[1 - i].enqueue(decodeMessage(encodeMessage(message)));
        } catch { /* the peer stopped reading */ }
        return Promise.resolve();
      },
      disconnect(reason: number, description: string): Promise<void> {
        if (closed) return Promise.resolve();
        closed = true;
        ends[i].disconnected = { reason, description, by: "us" };
        ends[1 - i].disconnected = { reason, description, by: "peer" };
        for (const c of controllers) {
          try {
            c.close();
          } catch { /* already closed */ }
        }
        return Promise.resolve();
      },
    };
    ends.push(end);
  }
  return [ends[0], ends[1]];
}

/** Reads the next message from `conn`, decoding 60–79 for `auth` when given. */
export async function nextMessage(
  reader: ReadableStreamDefaultReader<Message>,
  auth?: "publickey" | "password" | "keyboard-interactive",
): Promise<Message | undefined> {
  const { done, value } = await reader.read();
  if (done) return undefined;
  if (auth && value.type === "unknown") return decodeMessage(value.payload, { auth });
  return value;
}

/** A fresh ed25519 key as a Signer (private key from @noble/curves). */
export function testSigner(seed?: Uint8Array): Signer & { privateBytes: Uint8Array } {
  const secret = seed ?? ed25519.utils.randomSecretKey();
  const pub = ed25519.getPublicKey(secret);
  const publicKey = parsePublicKey(new SshWriter().string("ssh-ed25519").string(pub).finish());
  const privateBytes = new Uint8Array(64);
  privateBytes.set(secret);
  privateBytes.set(pub, 32);
  return {
    publicKey,
    privateBytes,
    sign(data: Uint8Array, algorithm = "ssh-ed25519"): Promise<Uint8Array> {
      if (algorithm !== "ssh-ed25519") return Promise.reject(new Error(`Cannot sign ${algorithm}`));
      const sig = ed25519.sign(data, secret);
      return Promise.resolve(new SshWriter().string("ssh-ed25519").string(sig).finish());
    },
  };
}

/** Fake timers: `tick(ms)` runs what is due. */
export function fakeTimers(): {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  tick(ms: number): void;
  pending(): number;
} {
  let now = 0;
  let id = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout(fn, ms) {
      timers.set(++id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    tick(ms) {
      now += ms;
      for (const [k, t] of [...timers]) {
        if (t.at <= now) {
          timers.delete(k);
          t.fn();
        }
      }
    },
    pending: () => timers.size,
  };
}
