/**
 * Hostile framing: packet lengths over the limit, under the minimum or misaligned, padding
 * that is too short or longer than the packet, empty payloads, packets cut short — in plaintext
 * before the key exchange and sealed with the real keys of every suite after it, against the
 * Hush server and the Hush client. A bad length is refused from its 4 (or 16) header bytes,
 * before any body is waited for or buffered.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason, encodeMessage, PACKET_LENGTH_LIMIT } from "@hush/wire";
import { frame } from "./frame_sealer.ts";
import type { HostilePeer } from "./peer.ts";
import { only, peerOnly, suiteName, SUITES } from "./suites.ts";
import {
  assertDisconnect,
  assertRejects,
  assertServerServes,
  attackClient,
  attackServer,
} from "./victim.ts";

const { PROTOCOL_ERROR, MAC_ERROR } = DisconnectReason;

function uint32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** Version lines exchanged, our KEXINIT sent: the victim reads plaintext packets. */
async function plaintext(peer: HostilePeer): Promise<void> {
  await peer.sendVersion();
  await peer.readVersion();
  await peer.sendKexInit();
}

const IGNORE = encodeMessage({ type: "ignore", data: new Uint8Array(7) });

// --- before the key exchange -------------------------------------------------------------

for (
  const [name, length, pattern] of [
    ["2^32-1", 0xffff_ffff, /exceeds the limit/],
    ["2^31", 0x8000_0000, /exceeds the limit/],
    ["one past the 256 KiB limit", PACKET_LENGTH_LIMIT + 1, /exceeds the limit/],
    ["zero", 0, /too small/],
    ["four", 4, /too small/],
    ["misaligned (13)", 13, /not a multiple of the block size/],
    ["misaligned (262139)", PACKET_LENGTH_LIMIT - 5, /not a multiple of the block size/],
  ] as const
) {
  test(`server: a plaintext packet length of ${name} is refused from its 4 header bytes`, async () => {
    const v = await attackServer();
    await plaintext(v.peer);
    const before = v.peer.written;
    await v.peer.write(uint32(length)); // the header alone: the victim must not wait for a body
    await assertDisconnect(v, PROTOCOL_ERROR, pattern);
    assert.equal(v.peer.written - before, 4);
  });
}

test("server: a packet of exactly the 256 KiB limit before KEXINIT is read, then the handshake goes on", async () => {
  const v = await attackServer();
  await v.peer.sendVersion();
  await v.peer.readVersion();
  // the largest aligned packet_length under the limit; no strict kex (its KEXINIT must come first)
  const length = PACKET_LENGTH_LIMIT - 4;
  const padding = 8 + ((length - 1 - 8) % 8);
  const payload = new Uint8Array(length - 1 - padding);
  payload[0] = 2; // IGNORE
  new DataView(payload.buffer).setUint32(1, payload.length - 5);
  await v.peer.sendPayload(payload, { padding });
  const strictLess = v.peer.kexInit();
  strictLess.kexAlgorithms = strictLess.kexAlgorithms.filter((k) => !k.startsWith("kex-strict"));
  await v.peer.sendKexInit(strictLess);
  await v.peer.readKexInit();
  await v.peer.exchange();
  await v.peer.sendNewKeys();
  await v.peer.readNewKeys();
  await v.peer.send({ type: "serviceRequest", service: "ssh-userauth" });
  await v.peer.expect("serviceAccept");
  await v.peer.close();
  assert.equal((await v.outcome).error?.reason, DisconnectReason.CONNECTION_LOST);
});

test("server: an HTTP request after the version line is refused by its 'length'", async () => {
  const v = await attackServer();
  await v.peer.sendVersion();
  await v.peer.readVersion();
  await v.peer.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  await assertDisconnect(v, PROTOCOL_ERROR, /Packet length 1195725856 exceeds the limit/);
});

for (
  const [name, shape, pattern] of [
    ["padding of 3 bytes", { paddingField: 3 }, /under the minimum of 4/],
    ["padding of 0 bytes", { paddingField: 0 }, /under the minimum of 4/],
    ["padding longer than the packet", { paddingField: 200 }, /Padding longer/],
    ["padding of 255 in a 24-byte packet", { paddingField: 255 }, /Padding longer/],
  ] as const
) {
  test(`server: plaintext ${name} is refused`, async () => {
    const v = await attackServer();
    await plaintext(v.peer);
    await v.peer.sendPayload(IGNORE, shape);
    await assertDisconnect(v, PROTOCOL_ERROR, pattern);
  });
}

test("server: a plaintext packet with no payload (padding only) is refused", async () => {
  const v = await attackServer();
  await plaintext(v.peer);
  await v.peer.sendFrame(frame(new Uint8Array(0), { blockSize: 8, lengthInClear: false }));
  await assertDisconnect(v, PROTOCOL_ERROR, /Empty packet payload/);
});

test("server: a packet cut short by the end of the stream is a protocol error, never delivered", async () => {
  const v = await attackServer();
  await v.peer.sendVersion();
  await v.peer.readVersion();
  const packet = frame(encodeMessage(v.peer.kexInit()), v.peer.shape);
  await v.peer.write(packet.subarray(0, packet.length - 1));
  await v.peer.close();
  const { error } = await v.outcome;
  assert.equal(error?.reason, PROTOCOL_ERROR, error?.message);
  assert.match(error!.message, /middle of a packet/);
});

// --- after the key exchange, with every suite's real keys ----------------------------------

for (const suite of SUITES) {
  const name = suiteName(suite);
  const block = suite.cipher.startsWith("chacha") ? 8 : 16;
  const inClear = !suite.mac || suite.mac.includes("-etm");

  test(`server, ${name}: lengths over the limit, too small or misaligned are refused from the header`, async () => {
    for (
      const [length, pattern] of [
        [0xffff_ffff, /over the limit/],
        [PACKET_LENGTH_LIMIT + 1, /over the limit/],
        [0, /too small/],
        [(inClear ? 0 : 4) + block + 1, /not a multiple of the block size/],
      ] as const
    ) {
      const v = await attackServer({ algorithms: only(suite) }, peerOnly(suite));
      await v.peer.handshake();
      // a whole header block of a well-formed frame, with the length field replaced
      const f = frame(new Uint8Array(40).fill(2), { ...v.peer.shape, lengthField: length });
      await v.peer.write(sealHeader(v.peer, f));
      await assertDisconnect(v, PROTOCOL_ERROR, pattern);
    }
  });

  test(`server, ${name}: bad padding inside a packet whose MAC is right is refused`, async () => {
    for (
      const [shape, pattern] of [
        [{ paddingField: 3 }, /under the minimum of 4/],
        [{ paddingField: 255 }, /Padding longer than the packet/],
      ] as const
    ) {
      const v = await attackServer({ algorithms: only(suite) }, peerOnly(suite));
      await v.peer.handshake();
      await v.peer.sendPayload(IGNORE, shape);
      await assertDisconnect(v, PROTOCOL_ERROR, pattern);
    }
  });

  test(`server, ${name}: an empty payload is refused`, async () => {
    const v = await attackServer({ algorithms: only(suite) }, peerOnly(suite));
    await v.peer.handshake();
    await v.peer.sendPayload(new Uint8Array(0));
    await assertDisconnect(v, PROTOCOL_ERROR, /Empty packet payload/);
  });

  test(`server, ${name}: a packet missing its last MAC byte, then the next packet, fails its MAC`, async () => {
    const v = await attackServer({ algorithms: only(suite) }, peerOnly(suite));
    await v.peer.handshake();
    const first = v.peer.seal({ type: "serviceRequest", service: "ssh-userauth" });
    const second = v.peer.seal({ type: "ignore", data: new Uint8Array(64) });
    // The next packet's first byte takes the missing one's place: when the two happen to be
    // equal (1 time in 256) the packet is intact, so then one more byte goes, and so on.
    const intact = (n: number) => first.subarray(first.length - n).every((b, i) => b === second[i]);
    let cut = 1;
    while (intact(cut)) cut++;
    await v.peer.write(first.subarray(0, first.length - cut));
    await v.peer.write(second);
    await assertDisconnect(v, MAC_ERROR, /Corrupted MAC/);
    assert.ok(!v.peer.seen.some((m) => m.type === "serviceAccept"), "the cut packet was handled");
  });

  test(`server, ${name}: a packet cut short by the end of the stream is never handled`, async () => {
    const v = await attackServer({ algorithms: only(suite) }, peerOnly(suite));
    await v.peer.handshake();
    const sealed = v.peer.seal({ type: "serviceRequest", service: "ssh-userauth" });
    await v.peer.write(sealed.subarray(0, sealed.length - 5));
    await v.peer.close();
    const { error } = await v.outcome;
    assert.equal(error?.reason, PROTOCOL_ERROR, error?.message);
    assert.match(error!.message, /middle of a packet/);
    assert.ok(!v.peer.seen.some((m) => m.type === "serviceAccept"), "the cut packet was handled");
  });
}

/** Seals `f` (a frame whose length field lies) and returns its first header's worth of bytes. */
function sealHeader(peer: HostilePeer, f: Uint8Array): Uint8Array {
  return peer.sealRaw(f).subarray(0, 16);
}

// --- the client --------------------------------------------------------------------------

test("client: a server's plaintext packet length over the limit is refused from the header", async () => {
  const v = attackClient();
  await v.peer.sendVersion();
  await v.peer.readVersion();
  await v.peer.write(uint32(PACKET_LENGTH_LIMIT + 1));
  await assertRejects(v.connecting, PROTOCOL_ERROR, /exceeds the limit/);
  assert.equal((await v.peer.disconnect())?.reason, PROTOCOL_ERROR);
});

test("client: a server's plaintext padding under the minimum is refused", async () => {
  const v = attackClient();
  await v.peer.sendVersion();
  await v.peer.readVersion();
  await v.peer.sendPayload(IGNORE, { paddingField: 3 });
  await assertRejects(v.connecting, PROTOCOL_ERROR, /under the minimum/);
});

for (const suite of SUITES) {
  const name = suiteName(suite);
  test(`client, ${name}: a server's encrypted length over the limit and bad padding are refused`, async () => {
    {
      const v = attackClient({ algorithms: only(suite) }, peerOnly(suite));
      await v.peer.handshake();
      const f = frame(new Uint8Array(40).fill(2), {
        ...v.peer.shape,
        lengthField: PACKET_LENGTH_LIMIT + 8,
      });
      await v.peer.write(sealHeader(v.peer, f));
      await assertRejects(v.connecting, PROTOCOL_ERROR, /over the limit/);
    }
    {
      const v = attackClient({ algorithms: only(suite) }, peerOnly(suite));
      await v.peer.handshake();
      await v.peer.sendPayload(IGNORE, { paddingField: 2 });
      await assertRejects(v.connecting, PROTOCOL_ERROR, /under the minimum/);
    }
  });
}

test("after all of the above, a well-behaved client still logs in", async () => {
  await assertServerServes();
});
