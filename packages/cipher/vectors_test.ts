import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { backendAvailable, BACKENDS, createOpener, createSealer } from "./mod.ts";
import { ALL_BACKENDS, ALL_PROVIDERS } from "./testdata/providers.ts";

interface Vector {
  cipher: string;
  mac?: string;
  iv: string;
  key: string;
  macKey: string;
  firstSequence: number;
  packets: { sequence: number; payload: string; padding: string; packet: string }[];
}

const fromHex = (s: string): Uint8Array =>
  new Uint8Array((s.match(/../g) ?? []).map((b) => parseInt(b, 16)));

const { vectors } = JSON.parse(
  readFileSync(new URL("./testdata/vectors.json", import.meta.url), "utf8"),
) as { vectors: Vector[] };

test("the vectors cover every cipher and every MAC family", () => {
  const names = new Set(vectors.map((v) => v.cipher));
  for (
    const c of [
      "chacha20-poly1305@openssh.com",
      "aes128-gcm@openssh.com",
      "aes256-gcm@openssh.com",
      "aes128-ctr",
      "aes192-ctr",
      "aes256-ctr",
    ]
  ) {
    assert.ok(names.has(c), c);
  }
  const macs = new Set(vectors.map((v) => v.mac).filter(Boolean));
  assert.equal(macs.size, 6);
});

for (const v of vectors) {
  const label = v.mac ? `${v.cipher} + ${v.mac}` : v.cipher;
  test(`known answers (node:crypto, openssl, BigInt Poly1305): ${label}`, async () => {
    const keys = { iv: fromHex(v.iv), key: fromHex(v.key), macKey: fromHex(v.macKey) };
    for (const backend of [...BACKENDS, "auto" as const]) {
      if (backend !== "auto" && !backendAvailable(backend, v.cipher, v.mac, ALL_PROVIDERS)) {
        continue;
      }
      let i = 0;
      const sealer = createSealer(v.cipher, v.mac, keys, {
        backend,
        backends: ALL_BACKENDS,
        random: (n) => {
          const padding = fromHex(v.packets[i].padding);
          assert.equal(n, padding.length, "padding length");
          return padding;
        },
      });
      const opener = createOpener(v.cipher, v.mac, keys, { backend, backends: ALL_BACKENDS });
      sealer.sequence = opener.sequence = v.firstSequence;
      for (; i < v.packets.length; i++) {
        const p = v.packets[i];
        const expected = fromHex(p.packet);
        const sealed = await sealer.seal(fromHex(p.payload));
        assert.deepEqual(sealed, expected, `${backend} packet ${i}`);
        assert.equal(
          opener.packetLength(expected.subarray(0, opener.headerLength)),
          expected.length,
        );
        assert.deepEqual(await opener.open(expected), fromHex(p.payload), `${backend} open ${i}`);
      }
      assert.equal(sealer.sequence, (v.firstSequence + v.packets.length) >>> 0);
    }
  });
}
