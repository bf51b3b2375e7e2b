/**
 * Bytes through streams for tests: a deterministic pattern written in chunks, and a stream read
 * to its end as a SHA-256 hash with a byte count, or as text.
 * @module
 */
import { createHash } from "node:crypto";

/** One mebibyte, in bytes. */
export const MiB = 1024 * 1024;

/** Writes `total` bytes of a deterministic pattern in `chunk`-sized writes; returns the hash. */
export async function pump(
  w: WritableStream<Uint8Array>,
  total: number,
  chunk = 64 * 1024,
  seed = 1,
): Promise<string> {
  const h = createHash("sha256");
  const writer = w.getWriter();
  let x = seed;
  for (let off = 0; off < total; off += chunk) {
    const n = Math.min(chunk, total - off);
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i += 4096) {
      x = (x * 1103515245 + 12345) >>> 0;
      data.fill(x & 0xff, i, i + 4096);
      data[i] = x >>> 8;
    }
    h.update(data);
    await writer.write(data);
  }
  await writer.close();
  return h.digest("hex");
}

/** Reads `r` to its end: the SHA-256 (hex) of its bytes and how many there were. */
export async function drain(
  r: ReadableStream<Uint8Array>,
): Promise<{ hash: string; bytes: number }> {
  const h = createHash("sha256");
  let n = 0;
  for await (const chunk of r) {
    h.update(chunk);
    n += chunk.length;
  }
  return { hash: h.digest("hex"), bytes: n };
}

/** Reads `r` to its end as UTF-8 text. */
export async function text(r: ReadableStream<Uint8Array>): Promise<string> {
  let s = "";
  const d = new TextDecoder();
  for await (const chunk of r) s += d.decode(chunk, { stream: true });
  return s;
}
