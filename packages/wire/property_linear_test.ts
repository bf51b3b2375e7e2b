// Linear-time checks: 8x the input must not cost much more than 8x the time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage, decodeTerminalModes, NoneSealer, SshReader, SshWriter } from "./mod.ts";
import { readPackets } from "./testdata/read_packets.ts";

/** Time in ms of `reps` sequential calls of `f`. */
async function time(f: () => unknown, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let k = 0; k < reps; k++) {
    const result = f();
    if (result instanceof Promise) await result;
  }
  return performance.now() - t0;
}

/**
 * Checks that 8x the input costs at most 20x the time (linear is about 8x, quadratic 64x).
 * Not a benchmark: the 1x input runs 8 times as often as the 8x input, so both measurements
 * take about as long and see the same load from other processes; each is the fastest of several
 * interleaved tries, and a failing comparison is measured again (twice) before it counts, so
 * only a cost that really grows faster than the input fails.
 */
async function assertLinear(
  name: string,
  make: (scale: number) => () => unknown,
  attempts = 3,
): Promise<void> {
  const one = make(1), eight = make(8);
  await time(one, 8);
  await time(eight, 1);
  let reps = 1;
  while (await time(one, 8 * reps) < 10 && reps < 4096) reps *= 2;
  for (let attempt = 1;; attempt++) {
    let t1 = Infinity, t8 = Infinity;
    for (let i = 0; i < 5; i++) {
      t1 = Math.min(t1, await time(one, 8 * reps));
      t8 = Math.min(t8, await time(eight, reps));
    }
    // Time of one run on the 8x input over one run on the 1x input.
    const ratio = (t8 / reps) / (t1 / (8 * reps));
    if (ratio <= 20) return;
    if (attempt >= attempts) {
      assert.fail(`${name}: 8x the input took ${ratio.toFixed(1)}x the time (limit 20x)`);
    }
  }
}

test("the linear-time check catches a quadratic decoder", async () => {
  await assert.rejects(
    assertLinear("quadratic", (scale) => {
      const b = new Uint8Array(300 * scale).fill(1);
      return () => {
        let sum = 0;
        for (let i = 0; i < b.length; i++) for (let j = 0; j < b.length; j++) sum += b[j];
        return sum;
      };
    }, 1),
    /quadratic: 8x the input took/,
  );
});

test("decoding takes linear time: name-lists, mpints, strings, chunked packets", async () => {
  await assertLinear("KEXINIT name-lists", (scale) => {
    const names = Array.from({ length: 150 * scale }, (_, i) => `alg-${i}@example.com`).join(",");
    const w = new SshWriter().byte(20).raw(new Uint8Array(16)).string(names);
    for (let i = 0; i < 9; i++) w.string("a");
    const p = w.byte(0).uint32(0).finish();
    return () => decodeMessage(p);
  });
  await assertLinear("mpint", (scale) => {
    const b = new Uint8Array(3000 * scale).fill(0x5a);
    const p = new SshWriter().string(b).finish();
    return () => new SshReader(p).mpint();
  });
  await assertLinear("bad UTF-8 at the end of a long string", (scale) => {
    const b = new Uint8Array(3000 * scale).fill(0x61);
    b[b.length - 1] = 0xff;
    const p = new SshWriter().byte(1).uint32(0).string(b).string("").finish();
    return () => {
      try {
        decodeMessage(p);
      } catch { /* expected */ }
    };
  });
  await assertLinear("terminal modes", (scale) => {
    const b = new Uint8Array(5 * 30 * scale).fill(1);
    return () => decodeTerminalModes(b);
  });
  await assertLinear("a packet in 1-byte chunks", (scale) => {
    const sealed = new NoneSealer((n) => new Uint8Array(n)).seal(
      new Uint8Array(2048 * scale).fill(2),
    );
    const chunks = Array.from({ length: sealed.length }, (_, i) => sealed.subarray(i, i + 1));
    return async () => {
      const { error } = await readPackets(chunks);
      assert.equal(error, undefined);
    };
  });
});
