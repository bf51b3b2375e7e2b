import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  decodeMessage,
  encodeMessage,
  type KexInit,
  type Packet,
  PacketReader,
  readVersionLine,
  unframePacket,
} from "./mod.ts";

const load = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url)));

/** Replays a captured stream through the version-line reader and the packet reader. */
async function replay(
  name: string,
  role: "client" | "server",
  chunk = Infinity,
): Promise<{ version: string; packets: Packet[] }> {
  const bytes = load(name);
  let off = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (off >= bytes.length) return controller.close();
      const n = Math.min(chunk, bytes.length - off);
      controller.enqueue(bytes.slice(off, off + n));
      off += n;
    },
  });
  const v = await readVersionLine(source, { role });
  const reader = new PacketReader();
  const piped = v.rest.pipeTo(reader.writable);
  const packets: Packet[] = [];
  for await (const p of reader.readable) packets.push(p);
  await piped;
  return { version: v.version, packets };
}

function kexInitOf(packets: Packet[]): KexInit {
  assert.equal(packets.length, 1);
  assert.equal(packets[0].sequence, 0);
  const m = decodeMessage(packets[0].payload);
  assert.equal(m.type, "kexInit");
  return m as KexInit;
}

const openssh = readFileSync(new URL("./testdata/openssh_version.txt", import.meta.url), "utf8");

test("captured data comes from OpenSSH 9.2", () => {
  assert.match(openssh, /^OpenSSH_9\.2p1 /);
});

test("sshd: version line and KEXINIT", async () => {
  const { version, packets } = await replay("sshd_stream.bin", "client");
  assert.equal(version, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10");
  const k = kexInitOf(packets);
  assert.equal(k.cookie.length, 16);
  assert.ok(k.kexAlgorithms.includes("curve25519-sha256"));
  assert.ok(k.kexAlgorithms.includes("sntrup761x25519-sha512@openssh.com"));
  assert.equal(k.kexAlgorithms.at(-1), "kex-strict-s-v00@openssh.com");
  assert.ok(!k.kexAlgorithms.includes("ext-info-c"));
  // The throwaway server had only an Ed25519 host key.
  assert.deepEqual(k.serverHostKeyAlgorithms, ["ssh-ed25519"]);
  for (const list of [k.encryptionClientToServer, k.encryptionServerToClient]) {
    assert.equal(list[0], "chacha20-poly1305@openssh.com");
    assert.ok(list.includes("aes256-gcm@openssh.com"));
  }
  assert.ok(k.macClientToServer.includes("hmac-sha2-256-etm@openssh.com"));
  assert.deepEqual(k.compressionServerToClient, ["none", "zlib@openssh.com"]);
  assert.deepEqual(k.languagesClientToServer, []);
  assert.deepEqual(k.languagesServerToClient, []);
  assert.equal(k.firstKexPacketFollows, false);
  assert.equal(k.reserved, 0);
});

test("ssh: version line and KEXINIT", async () => {
  const { version, packets } = await replay("ssh_stream.bin", "server");
  assert.equal(version, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10");
  const k = kexInitOf(packets);
  assert.ok(k.kexAlgorithms.includes("curve25519-sha256"));
  assert.deepEqual(k.kexAlgorithms.slice(-2), ["ext-info-c", "kex-strict-c-v00@openssh.com"]);
  assert.ok(k.serverHostKeyAlgorithms.includes("ssh-ed25519"));
  assert.ok(k.serverHostKeyAlgorithms.includes("rsa-sha2-512"));
  assert.ok(k.serverHostKeyAlgorithms.includes("ssh-ed25519-cert-v01@openssh.com"));
  assert.equal(k.encryptionClientToServer[0], "chacha20-poly1305@openssh.com");
  assert.deepEqual(k.compressionClientToServer, ["none", "zlib@openssh.com", "zlib"]);
  assert.equal(k.firstKexPacketFollows, false);
});

test("captured packets: padding as RFC 4253 §6 says, and re-encoding gives the same payload", () => {
  for (const name of ["sshd_stream.bin", "ssh_stream.bin"]) {
    const bytes = load(name);
    const packet = bytes.subarray(bytes.indexOf(0x0a) + 1);
    const view = new DataView(packet.buffer, packet.byteOffset);
    const packetLength = view.getUint32(0);
    assert.equal(packet.length, 4 + packetLength, name);
    assert.equal((4 + packetLength) % 8, 0, name);
    assert.ok(packet[4] >= 4, name);
    const payload = unframePacket(packet);
    assert.deepEqual(encodeMessage(decodeMessage(payload)), payload, name);
  }
});

test("captured streams read the same in chunks of any size", async () => {
  const whole = await replay("sshd_stream.bin", "client");
  for (const size of [1, 2, 3, 7, 41, 256]) {
    const split = await replay("sshd_stream.bin", "client", size);
    assert.equal(split.version, whole.version);
    assert.deepEqual(split.packets, whole.packets, `chunks of ${size}`);
  }
});
