/**
 * The state machine after authentication: key exchange messages outside a key exchange, unknown
 * message numbers (UNIMPLEMENTED), and DISCONNECT with a reason code, both ways.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Message } from "@hush/wire";
import { DisconnectError } from "./mod.ts";
import { allowedMessage } from "./state.ts";
import { authenticated, read } from "./testdata/transport_pair.ts";
import { eventually } from "./testdata/eventually.ts";
import { scriptedAndVictim } from "./testdata/scripted_peer.ts";

test("NEWKEYS or a kex method message outside a key exchange is refused by the table", () => {
  const state = {
    phase: "connection" as const,
    role: "server" as const,
    peerInKex: false,
    strictInitial: false,
    firstPacket: false,
    justAfterFirstNewKeys: false,
  };
  assert.equal(allowedMessage("newKeys", state), "newKeys outside key exchange");
  assert.equal(allowedMessage("kexEcdhInit", state), "kexEcdhInit outside key exchange");
  assert.equal(allowedMessage("kexInit", state), undefined);
  assert.equal(
    allowedMessage("kexInit", { ...state, peerInKex: true }),
    "second KEXINIT during key exchange",
  );
  // During the peer's re-exchange connection messages are taken (OpenSSH takes them too);
  // anything else is still refused there.
  assert.equal(allowedMessage("channelData", { ...state, peerInKex: true }), undefined);
  assert.equal(
    allowedMessage("serviceRequest", { ...state, peerInKex: true }),
    "serviceRequest is not allowed during key exchange",
  );
});

test("a peer that sends channel messages during its own rekey: taken, in order, keys switch", async () => {
  const { victim, peer } = await scriptedAndVictim();
  const reader = victim.messages.getReader();
  await peer.beginKex(); // the peer's KEXINIT: it is in a key exchange from here
  const data = new TextEncoder().encode("sent between KEXINIT and NEWKEYS");
  await peer.send({ type: "channelData", recipient: 7, data });
  await peer.send({ type: "channelEof", recipient: 7 });
  await peer.finishKex();
  await peer.send({ type: "channelClose", recipient: 7 }); // under the new keys
  const got = [
    (await reader.read()).value,
    (await reader.read()).value,
    (await reader.read()).value,
  ];
  assert.deepEqual(got.map((m) => m?.type), ["channelData", "channelEof", "channelClose"]);
  assert.deepEqual((got[0] as { data: Uint8Array }).data, data);
  await eventually(() => victim.kexCount === 2, "the peer's rekey to finish");
  assert.equal(victim.phase, "connection");
  reader.releaseLock();
  await victim.disconnect();
});

test("a kex method message outside a key exchange gets UNIMPLEMENTED (as OpenSSH)", async () => {
  const lines: string[] = [];
  const [c, s] = await authenticated({ trace: (l) => lines.push(l) });
  await c.send({ type: "kexEcdhInit", publicKey: new Uint8Array(32) });
  await c.send({ type: "ignore", data: new Uint8Array(0) });
  await s.send(
    {
      type: "globalRequest",
      request: "other",
      name: "x@y",
      wantReply: false,
      data: new Uint8Array(0),
    } as Message,
  );
  await read(c);
  assert.ok(lines.some((l) => /Peer did not implement our packet \d+/.test(l)), lines.join("\n"));
  await c.disconnect();
});

test("an unknown message number after authentication gets UNIMPLEMENTED with its sequence", async () => {
  const lines: string[] = [];
  const [c, s] = await authenticated({ trace: (l) => lines.push(l) });
  await c.send({ type: "unknown", number: 200, payload: new Uint8Array([200, 0]) });
  await eventually(
    () => lines.some((l) => /Peer did not implement our packet \d+/.test(l)),
    `UNIMPLEMENTED naming the packet's sequence number; trace:\n${lines.join("\n")}`,
  );
  // Both ends go on: a message after it is delivered as usual.
  await s.send(
    {
      type: "globalRequest",
      request: "other",
      name: "x@y",
      wantReply: false,
      data: new Uint8Array(0),
    } as Message,
  );
  assert.equal((await read(c)).type, "globalRequest");
  assert.equal(s.phase, "connection");
  await c.disconnect();
});

test("DISCONNECT with a reason code reaches the peer, both ways", async () => {
  for (const by of ["client", "server"] as const) {
    const [c, s] = await authenticated();
    const [us, them] = by === "client" ? [c, s] : [s, c];
    await us.disconnect(11, "Going away");
    assert.equal(await us.closed, undefined);
    assert.equal(await them.closed, undefined); // BY_APPLICATION is a clean close
    const [c2, s2] = await authenticated();
    const [us2, them2] = by === "client" ? [c2, s2] : [s2, c2];
    await us2.disconnect(14, "No more auth methods available");
    const mine = await us2.closed;
    assert.ok(mine instanceof DisconnectError && mine.reason === 14 && !mine.fromPeer);
    const theirs = await them2.closed;
    assert.ok(theirs instanceof DisconnectError && theirs.reason === 14 && theirs.fromPeer);
    assert.equal(theirs.description, "No more auth methods available");
    await assert.rejects(them2.send({ type: "ignore", data: new Uint8Array(0) }), DisconnectError);
  }
});
