/**
 * The trace hook (like `ssh -v`) over a whole connection: it shows versions, algorithms, the
 * host key's fingerprint and channel events, and never a secret.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Message } from "@hush/wire";
import { drain } from "./testdata/byte_streams.ts";
import { connectedPair } from "./testdata/connected_pair.ts";
import { sessionServer } from "./testdata/exec_server.ts";
import { hostKey } from "./testdata/transport_pair.ts";

test("trace: versions, algorithms, fingerprint, kex done, channel events — never secrets", async () => {
  const lines: string[] = [];
  const trace = (l: string) => lines.push(l);
  const randomOut: Uint8Array[] = [];
  const random = (n: number) => {
    const b = crypto.getRandomValues(new Uint8Array(n));
    if (n >= 16) randomOut.push(b.slice());
    return b;
  };
  const key = await hostKey();
  const p = await connectedPair({
    client: { trace, random, rekeyBytes: 64 * 1024 },
    server: { trace, random },
    clientConnection: { trace },
    serverConnection: { ...sessionServer, trace },
  });
  const password = "correct horse battery staple";
  await p.client.send({
    type: "userauthRequest",
    user: "u",
    service: "ssh-connection",
    method: "password",
    password,
  } as Message).catch(() => {});
  const session = await p.c.openSession();
  await session.exec("cat");
  const w = session.writable.getWriter();
  const secretData = new TextEncoder().encode("s3cr3t-payload-".repeat(10000));
  await w.write(secretData);
  await w.close();
  await drain(session.readable);
  await p.c.close();
  await p.server.closed;
  const all = lines.join("\n");
  for (
    const want of [
      "Remote protocol version 2.0, remote software version Hush_0.1.0",
      "kex: algorithm: ",
      "kex: host key algorithm: ",
      `Server host key: ssh-ed25519 ${key.publicKey.fingerprint()}`,
      "SSH2_MSG_NEWKEYS sent",
      "Key exchange done",
      "channel 0: new session",
      "channel 0: free",
    ]
  ) {
    assert.ok(all.includes(want), `trace lacks "${want}"`);
  }
  assert.ok(!all.includes(password), "password in trace");
  assert.ok(!all.includes("s3cr3t"), "channel data in trace");
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
  for (const r of [...randomOut, p.client.sessionId!]) {
    const piece = r.subarray(0, 12);
    assert.ok(!all.includes(hex(piece)), "random or session bytes in trace (hex)");
    assert.ok(!all.includes(b64(piece).slice(0, 16)), "random or session bytes in trace (base64)");
  }
  // the host private key never appears either (its public half is fine)
  const privateText = await import("@hush/keys").then((k) => k.serializePrivateKey(key));
  const body = privateText.split("\n").slice(1, -2).join("");
  for (let i = 0; i + 24 <= body.length; i += 24) {
    assert.ok(!all.includes(body.slice(i, i + 24)), "private key material in trace");
  }
});
