import { test } from "node:test";
import assert from "node:assert/strict";
import { type Packet, PacketReader, PacketWriter } from "@hush/wire";
import {
  type Backend,
  backendAvailable,
  BACKENDS,
  CIPHERS,
  createOpener,
  createSealer,
  keyLengths,
} from "./mod.ts";
import { ALL_BACKENDS, ALL_PROVIDERS } from "./testdata/providers.ts";

const SUITES: [string, string | undefined][] = [
  ...Object.values(CIPHERS).filter((c) => c.aead).map((c): [string, undefined] => [
    c.name,
    undefined,
  ]),
  ["aes128-ctr", "hmac-sha2-256-etm@openssh.com"],
  ["aes192-ctr", "hmac-sha2-512-etm@openssh.com"],
  ["aes256-ctr", "hmac-sha2-256"],
  ["aes128-ctr", "hmac-sha2-512"],
  ["aes256-ctr", "hmac-sha1-etm@openssh.com"],
  ["aes128-ctr", "hmac-sha1"],
];

/** Re-cuts a byte stream at random places, merging and splitting chunks. */
function randomChunks(): TransformStream<Uint8Array, Uint8Array> {
  let pending = new Uint8Array(0);
  const piece = () => 1 + Math.floor(Math.random() * (Math.random() < 0.5 ? 20 : 5000));
  let next = piece();
  return new TransformStream({
    transform(chunk, controller) {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      let at = 0;
      while (joined.length - at >= next) {
        controller.enqueue(joined.slice(at, at + next));
        at += next;
        next = piece();
      }
      pending = joined.slice(at);
    },
    flush(controller) {
      if (pending.length) controller.enqueue(pending);
    },
  });
}

function keysFor(cipher: string, mac?: string) {
  const l = keyLengths(cipher, mac);
  const r = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  return { iv: r(l.ivLength), key: r(l.keyLength), macKey: r(l.macKeyLength) };
}

function payloadsAround(newKeysAt: number, total: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < total; i++) {
    if (i === newKeysAt) {
      out.push(new Uint8Array([21]));
      continue;
    }
    const n = 1 + Math.floor(Math.random() * (Math.random() < 0.2 ? 35000 : 300));
    const p = crypto.getRandomValues(new Uint8Array(Math.min(n, 65536)));
    p[0] = 94 + (i % 3); // never 21: only one NEWKEYS in this stream
    out.push(p);
  }
  return out;
}

async function runStream(
  cipher: string,
  mac: string | undefined,
  sealBackend: Backend | "auto",
  openBackend: Backend | "auto",
  resetSequence: boolean,
): Promise<void> {
  const keys = keysFor(cipher, mac);
  const writer = new PacketWriter({ maxInFlight: 8 });
  const reader = new PacketReader();
  const newKeysAt = 3 + Math.floor(Math.random() * 5);
  const payloads = payloadsAround(newKeysAt, newKeysAt + 40);
  writer.nextSealer(
    createSealer(cipher, mac, keys, { backend: sealBackend, backends: ALL_BACKENDS }),
    { resetSequence },
  );
  const received: Packet[] = [];
  const reading = (async () => {
    for await (const p of reader.readable) {
      received.push(p);
      // The opener may be handed over only after NEWKEYS arrives, as a transport would.
      if (p.payload[0] === 21) {
        reader.nextOpener(
          createOpener(cipher, mac, keys, { backend: openBackend, backends: ALL_BACKENDS }),
          {
            resetSequence,
          },
        );
      }
    }
  })();
  const piping = writer.readable.pipeThrough(randomChunks()).pipeTo(reader.writable);
  const w = writer.writable.getWriter();
  for (const p of payloads) await w.write(p);
  await w.close();
  await piping;
  await reading;
  assert.equal(received.length, payloads.length);
  for (let i = 0; i < payloads.length; i++) {
    assert.deepEqual(received[i].payload, payloads[i], `packet ${i}`);
    const expected = resetSequence && i > newKeysAt ? i - newKeysAt - 1 : i;
    assert.equal(received[i].sequence, expected, `sequence of packet ${i}`);
  }
}

for (const [cipher, mac] of SUITES) {
  const label = mac ? `${cipher} + ${mac}` : cipher;
  test(`packet stream switches from none to ${label} at NEWKEYS, randomly chunked`, async () => {
    await runStream(cipher, mac, "auto", "auto", false);
    await runStream(cipher, mac, "auto", "auto", true); // strict kex: sequence restarts at 0
    for (const b of BACKENDS) {
      if (backendAvailable(b, cipher, mac, ALL_PROVIDERS)) {
        await runStream(cipher, mac, b, "noble", false);
      }
      if (backendAvailable(b, cipher, mac, ALL_PROVIDERS)) {
        await runStream(cipher, mac, "noble", b, false);
      }
    }
  });
}
