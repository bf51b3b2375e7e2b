/**
 * One byte flipped by a man in the middle after the key exchange, for every cipher suite, both
 * directions, between a real Hush client (`connect()`) and a real Hush server (`accept()`):
 * in the first encrypted packet (SERVICE_REQUEST one way, EXT_INFO the other) and in a channel
 * data packet in the middle of a transfer, on the runtime's fastest backends (WebAssembly,
 * WebCrypto with its packets opened ahead, node:crypto) and on noble alone.
 *
 * A flip in the length field is refused from the header (PROTOCOL_ERROR: the length is over the
 * limit or misaligned, before any MAC can be checked, as OpenSSH's "Packet corrupt"); a flip
 * anywhere else is a MAC error (reason 5). Both ends see the same reason, and the receiving
 * application never gets a byte of the corrupted packet or of anything after it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerSession } from "@hush/channels";
import type { CipherBackends } from "@hush/cipher";
import { accept, connect, type ServerContext, type SshClient } from "@hush/ssh";
import { memoryDuplexPair } from "@hush/transport/testing";
import { DisconnectReason } from "@hush/wire";
import { BitFlipProxy, type Direction } from "./bit_flip_proxy.ts";
import { correctPadding } from "./frame_sealer.ts";
import { only, type Suite, suiteName, SUITES } from "./suites.ts";
import { PASSWORD, type ReasonError, serverOptions, USER } from "./victim.ts";

const { PROTOCOL_ERROR, MAC_ERROR } = DisconnectReason;

/** Where to flip, and what the receiving end must then say. */
interface Flip {
  name: string;
  /** Offset into the packet (negative: from its end, i.e. into the MAC or tag). */
  offset: number;
  xor: number;
  reason: number;
  pattern: RegExp;
}

const FLIPS: readonly Flip[] = [
  // the length field: 2^31 or more, or odd — refused before the body is read
  {
    name: "the length's top bit",
    offset: 0,
    xor: 0x80,
    reason: PROTOCOL_ERROR,
    pattern: /over the limit|exceeds the limit/,
  },
  {
    name: "the length's low bit",
    offset: 3,
    xor: 0x01,
    reason: PROTOCOL_ERROR,
    pattern: /not a multiple of the block size/,
  },
  // everything after it is covered by the MAC or tag
  { name: "the padding length", offset: 4, xor: 0x01, reason: MAC_ERROR, pattern: /Corrupted MAC/ },
  { name: "a payload byte", offset: 9, xor: 0x40, reason: MAC_ERROR, pattern: /Corrupted MAC/ },
  {
    name: "the last MAC or tag byte",
    offset: -1,
    xor: 0x01,
    reason: MAC_ERROR,
    pattern: /Corrupted MAC/,
  },
];

/** Backends: the runtime's fastest (as `accept`/`connect` pick), or noble alone. */
const BACKENDS: [string, CipherBackends | undefined][] = [
  ["fastest backends", undefined],
  ["noble", { providers: {} }],
];

/** The wire size of a packet with a `payload`-byte payload under `s`. */
function packetSize(s: Suite, payload: number): number {
  const aead = !s.mac;
  const block = s.cipher.startsWith("chacha") ? 8 : 16;
  const inClear = aead || s.mac!.includes("-etm");
  const mac = aead ? 16 : s.mac!.includes("512") ? 64 : s.mac!.includes("256") ? 32 : 20;
  return 4 + 1 + payload + correctPadding(payload, block, inClear) + mac;
}

/** A client and a server through the proxy, agreeing on `suite`, and what each app received. */
function through(suite: Suite, backends: CipherBackends | undefined) {
  const [c, pc] = memoryDuplexPair();
  const [ps, s] = memoryDuplexPair();
  const proxy = new BitFlipProxy(pc, ps);
  const serverTrace: string[] = [];
  const clientTrace: string[] = [];
  const got: { server: Uint8Array[]; client: Uint8Array[] } = { server: [], client: [] };
  const sessions: ServerSession[] = [];
  const serving = (async () =>
    accept(
      s,
      await serverOptions({
        algorithms: only(suite),
        cipherBackends: backends,
        trace: (l) => serverTrace.push(l),
        onSession: (session) => {
          sessions.push(session);
          session.onRequest = (req) => {
            if (req.request !== "exec") return false;
            (async () => {
              for await (const chunk of session.readable) got.server.push(chunk);
            })().catch(() => {});
            return true;
          };
        },
      }),
    ))();
  serving.catch(() => {});
  const connecting = connect({
    hostname: "victim.test",
    username: USER,
    password: PASSWORD,
    policy: "no",
    duplex: c,
    algorithms: only(suite),
    cipherBackends: backends,
    trace: (l) => clientTrace.push(l),
  });
  connecting.catch(() => {});
  return { proxy, serving, connecting, got, sessions, serverTrace, clientTrace };
}

/** Asserts that `e` is a disconnect of `flip`'s reason (from the peer, or its own). */
function assertReason(e: unknown, flip: Flip, own: boolean, who: string): void {
  const err = e as ReasonError & { fromPeer?: boolean };
  assert.ok(err instanceof Error, `${who}: ${String(e)}`);
  assert.equal(err.reason, flip.reason, `${who}: ${err.message}`);
  if (own) assert.match(err.message, flip.pattern, who);
}

async function settled<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A deterministic prefix the receiver must get whole, and the marked packet it must not. */
const PREFIX = new Uint8Array(96 * 1024).map((_, i) => (i * 7 + 3) & 0xff);
const MARKED = new Uint8Array(20 * 1024).fill(0x5a); // one CHANNEL_DATA packet; WebCrypto opens it
const FILLER = new Uint8Array(32 * 1024).fill(0x33);

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), what);
}

/** Arms `d` for the marked packet, sends it and filler behind it until the connection dies. */
async function dataFlip(
  suite: Suite,
  d: Direction,
  flip: Flip,
  send: () => Promise<void>,
): Promise<void> {
  const size = packetSize(suite, 9 + MARKED.length);
  d.arm(flip.offset < 0 ? size + flip.offset : flip.offset, flip.xor);
  await send().catch(() => {});
  assert.ok(d.flippedAt !== undefined, "nothing was flipped");
  assert.ok(
    d.flippedChunk! >= size,
    `the flipped chunk (${d.flippedChunk}) is not the marked packet`,
  );
}

for (const suite of SUITES) {
  const name = suiteName(suite);

  // --- the first encrypted packet -------------------------------------------------------------

  test(`bit flip, ${name}: client to server, in the first encrypted packet (SERVICE_REQUEST)`, async () => {
    for (const flip of FLIPS) {
      const t = through(suite, undefined);
      const offset = flip.offset < 0 ? packetSize(suite, 17) + flip.offset : flip.offset;
      t.proxy.aToB.flipFirstEncrypted(offset, flip.xor);
      const [server, client] = await Promise.all([settled(t.serving), settled(t.connecting)]);
      const what = `${flip.name} at ${t.proxy.aToB.flippedAt}`;
      assertReason(server.error, flip, true, `server, ${what}`);
      assertReason(client.error, flip, false, `client, ${what}`);
      assert.ok(
        !t.serverTrace.some((l) => l.includes("SERVICE_REQUEST received")),
        "the corrupted SERVICE_REQUEST was handled",
      );
    }
  });

  test(`bit flip, ${name}: server to client, in the first encrypted packet (EXT_INFO)`, async () => {
    for (const flip of FLIPS) {
      const t = through(suite, undefined);
      t.proxy.bToA.flipFirstEncrypted(flip.offset, flip.xor); // -1: the end of EXT_INFO's batch
      const [server, client] = await Promise.all([settled(t.serving), settled(t.connecting)]);
      const what = `${flip.name} at ${t.proxy.bToA.flippedAt}`;
      assertReason(client.error, flip, true, `client, ${what}`);
      assertReason(server.error, flip, false, `server, ${what}`);
      assert.ok(
        !t.clientTrace.some((l) => l.includes("EXT_INFO received")),
        "the corrupted EXT_INFO was handled",
      );
    }
  });

  // --- a channel data packet in the middle of a transfer -------------------------------------

  for (const [backendName, backends] of BACKENDS) {
    test(`bit flip, ${name}, ${backendName}: client to server, in channel data mid-transfer`, async () => {
      for (const flip of FLIPS) {
        const t = through(suite, backends);
        const client = await t.connecting;
        const ctx = await t.serving;
        const session = await client.execStream("sink");
        const w = session.writable.getWriter();
        await w.write(PREFIX);
        await until(
          () => concat(t.got.server).length === PREFIX.length,
          "the prefix did not arrive",
        );
        await dataFlip(suite, t.proxy.aToB, flip, async () => {
          await w.write(MARKED);
          for (let i = 0; i < 64; i++) await w.write(FILLER);
        });
        await assertBothEnd(ctx, client, flip, "server");
        assert.deepEqual(
          concat(t.got.server),
          PREFIX,
          "the server's application got corrupted data",
        );
      }
    });

    test(`bit flip, ${name}, ${backendName}: server to client, in channel data mid-transfer`, async () => {
      for (const flip of FLIPS) {
        const t = through(suite, backends);
        const client = await t.connecting;
        const ctx = await t.serving;
        const session = await client.execStream("source");
        const received: Uint8Array[] = [];
        (async () => {
          for await (const chunk of session.readable) received.push(chunk);
        })().catch(() => {});
        await until(() => t.sessions.length === 1, "no session");
        const w = t.sessions[0].writable.getWriter();
        await w.write(PREFIX);
        await until(() => concat(received).length === PREFIX.length, "the prefix did not arrive");
        await dataFlip(suite, t.proxy.bToA, flip, async () => {
          await w.write(MARKED);
          for (let i = 0; i < 64; i++) await w.write(FILLER);
        });
        await assertBothEnd(ctx, client, flip, "client");
        assert.deepEqual(concat(received), PREFIX, "the client's application got corrupted data");
      }
    });
  }
}

/** Both ends of a connection ended with `flip`'s reason; `detector` is the end that saw it. */
async function assertBothEnd(
  ctx: ServerContext,
  client: SshClient,
  flip: Flip,
  detector: "server" | "client",
): Promise<void> {
  const [s, c] = await Promise.all([ctx.transport.closed, client.transport.closed]);
  assertReason(s, flip, detector === "server", "server");
  assertReason(c, flip, detector === "client", "client");
}
