/**
 * Compression (`ssh -C`), two groups:
 *
 * 1. "zlib per packet": the measurement that chose the zlib implementation. 8 MiB of text
 *    (this repository's TypeScript) as 32 KiB and as 1 KiB payloads, one stream, each payload
 *    flushed so that the peer can inflate it at once (as SSH needs), then inflated back:
 *    pako's port of zlib with Z_PARTIAL_FLUSH (what `ZlibCompressor`/`ZlibDecompressor` run),
 *    fflate's streaming `Zlib` with `flush()`, and the runtime's `node:zlib` stream with
 *    `flush(Z_PARTIAL_FLUSH)` (asynchronous: it has no synchronous call that keeps a stream).
 *    `CompressionStream` is not here: it has no flush (Node and Bun hand out nothing until the
 *    stream closes).
 * 2. "OpenSSH sshd (Compression yes), 16 MiB of text": the Hush client (`connect()`, one
 *    connection per setting) and OpenSSH's `ssh` (a fresh connection per run; "connect and run
 *    true" is that fixed cost) against one OpenSSH sshd, down (`cat file`) and up
 *    (`cat > /dev/null`), with and without compression, in one run. At the end it prints each
 *    one's mean MB/s and its compression ratio: 16 MiB over the bytes the connection put on
 *    the wire that way (Hush: `transport.bytes`; ssh: its "Transferred: sent N, received M
 *    bytes" line at LogLevel VERBOSE), so ~1.0 without compression. Skipped without OpenSSH.
 *
 * Run: `deno bench -A bench/compression_bench.ts`; in group 1, MiB/s = 8 / time per iteration.
 * @module
 */
import { spawn } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zlib from "node:zlib";
import { Unzlib, Zlib } from "fflate";
import { connect, type SshClient } from "@hush/ssh";
import { COMPRESSION_PREFERRED, ZlibCompressor, ZlibDecompressor } from "@hush/transport";
import { findBinary, startSshd } from "../tests/helpers/openssh.ts";
import { keygen, trustingStore } from "../tests/interop/client_fixture.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const MiB = 1024 * 1024;

function corpus(): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const pkg of readdirSync(join(ROOT, "packages"))) {
    for (const f of readdirSync(join(ROOT, "packages", pkg))) {
      if (f.endsWith(".ts")) parts.push(readFileSync(join(ROOT, "packages", pkg, f)));
    }
  }
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const text = new Uint8Array(8 * MiB);
{
  const c = corpus();
  for (let at = 0; at < text.length; at += c.length) {
    text.set(c.subarray(0, Math.min(c.length, text.length - at)), at);
  }
}

interface Codec {
  compress(p: Uint8Array): Uint8Array | Promise<Uint8Array>;
  decompress(p: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

const CODECS: Record<string, () => Codec> = {
  "pako, Z_PARTIAL_FLUSH (chosen)": () => {
    const out = new ZlibCompressor();
    const back = new ZlibDecompressor();
    return { compress: (p) => out.compress(p), decompress: (p) => back.decompress(p) };
  },
  "fflate 0.8.3, flush()": () => {
    let packed: Uint8Array[] = [];
    let unpacked: Uint8Array[] = [];
    const out = new Zlib({ level: 6 }, (c) => packed.push(c));
    const back = new Unzlib((c) => unpacked.push(c));
    return {
      compress: (p) => {
        out.push(p);
        out.flush();
        const r = concat(packed);
        packed = [];
        return r;
      },
      decompress: (p) => {
        back.push(p);
        const r = concat(unpacked);
        unpacked = [];
        return r;
      },
    };
  },
  "node:zlib stream, flush(Z_PARTIAL_FLUSH)": () => {
    const out = zlib.createDeflate({ level: 6 });
    const back = zlib.createInflate();
    let packed: Uint8Array[] = [];
    let unpacked: Uint8Array[] = [];
    out.on("data", (c: Uint8Array) => packed.push(c));
    back.on("data", (c: Uint8Array) => unpacked.push(c));
    const step = (
      s: zlib.Deflate | zlib.Inflate,
      p: Uint8Array,
      flush: number,
      take: () => Uint8Array,
    ) =>
      new Promise<Uint8Array>((resolve) => {
        s.write(p);
        s.flush(flush, () => resolve(take()));
      });
    return {
      compress: (p) =>
        step(out, p, zlib.constants.Z_PARTIAL_FLUSH, () => {
          const r = concat(packed);
          packed = [];
          return r;
        }),
      decompress: (p) =>
        step(back, p, zlib.constants.Z_SYNC_FLUSH, () => {
          const r = concat(unpacked);
          unpacked = [];
          return r;
        }),
    };
  },
};

for (const size of [32 * 1024, 1024]) {
  for (const [name, make] of Object.entries(CODECS)) {
    Deno.bench({
      name: `${name}, ${size / 1024} KiB payloads`,
      group: `zlib per packet: 8 MiB of text in ${size / 1024} KiB payloads, deflate + inflate`,
      baseline: name.includes("chosen"),
      n: 3,
      warmup: 1,
    }, async () => {
      const codec = make();
      let back = 0;
      for (let at = 0; at < text.length; at += size) {
        const packed = await codec.compress(text.subarray(at, at + size));
        back += (await codec.decompress(packed)).length;
      }
      if (back !== text.length) throw new Error(`${name}: ${back} bytes back`);
    });
  }
}

// --- against OpenSSH sshd ---------------------------------------------------------------

const E2E_BYTES = 16 * MiB;
const haveOpenSsh = ["sshd", "ssh", "ssh-keygen"].every((b) => findBinary(b));

/**
 * Per bench: each iteration's time and the bytes the connection put on the wire in the
 * direction of the transfer (packets, after compression and encryption), for the summary.
 */
const measured = new Map<string, { ms: number; wire: number }[]>();
async function measure(name: string, transfer: () => Promise<number>): Promise<void> {
  const t0 = performance.now();
  const wire = await transfer();
  const list = measured.get(name) ?? [];
  list.push({ ms: performance.now() - t0, wire });
  measured.set(name, list);
}

/** Mean MB/s and the compression ratio (16 MiB over the wire bytes), one line per bench. */
function summary(): string {
  const lines = [...measured].map(([name, all]) => {
    const runs = all.length > 1 ? all.slice(1) : all; // the first is deno bench's warmup
    const ms = runs.reduce((n, r) => n + r.ms, 0) / runs.length;
    const wire = runs[runs.length - 1].wire;
    return `  ${name.padEnd(48)} ${(E2E_BYTES / 1e3 / ms).toFixed(1).padStart(6)} MB/s` +
      `  ${(wire / MiB).toFixed(2).padStart(6)} MiB on the wire, ratio ${
        (E2E_BYTES / wire).toFixed(2)
      } (${runs.length} runs)`;
  });
  return `OpenSSH sshd (Compression yes), 16 MiB of text:\n${lines.join("\n")}`;
}

if (haveOpenSsh) {
  const dir = mkdtempSync(join(tmpdir(), "hush-bench-compress-"));
  const file = join(dir, "text.txt");
  const fd = openSync(file, "w");
  for (let i = 0; i < E2E_BYTES / text.length; i++) writeSync(fd, text);
  const user = await keygen(dir, "id_ed25519", "ed25519");
  const sshd = await startSshd({
    authorizedKeys: [user.publicLine],
    config: ["Compression yes"],
  });
  globalThis.addEventListener("unload", () => {
    console.log(summary());
    sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const known = join(dir, "known_hosts");
  await Deno.writeTextFile(
    known,
    Object.values(sshd.hostKeys).map((k) => `[127.0.0.1]:${sshd.port} ${k}\n`).join(""),
  );

  const hush: Record<string, SshClient> = {};
  for (const compressed of [false, true]) {
    hush[String(compressed)] = await connect({
      hostname: "127.0.0.1",
      port: sshd.port,
      username: "root",
      identities: [user.key!],
      knownHosts: trustingStore(sshd.port, Object.values(sshd.hostKeys)),
      policy: "yes",
      algorithms: compressed ? { compression: [...COMPRESSION_PREFERRED] } : undefined,
    });
  }

  /** OpenSSH's ssh, a fresh connection each time; resolves the wire bytes it sent or received. */
  const ssh = (compressed: boolean, command: string, way: "up" | "down", stdin?: string) => {
    const args = [
      "-F",
      "none",
      "-p",
      String(sshd.port),
      "-i",
      user.path,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      `UserKnownHostsFile=${known}`,
      "-o",
      `Compression=${compressed ? "yes" : "no"}`,
      // VERBOSE: "Transferred: sent N, received M bytes" (packet bytes) at the end
      "-o",
      "LogLevel=VERBOSE",
      "root@127.0.0.1",
      command,
    ];
    // stdin from the file and stdout to /dev/null as descriptors: ssh's own speed, not a pipe's
    const input = stdin ? openSync(stdin, "r") : "ignore";
    const output = openSync("/dev/null", "w");
    return new Promise<number>((resolve, reject) => {
      const child = spawn("ssh", args, { stdio: [input, output, "pipe"] });
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => {
        if (typeof input === "number") closeSync(input);
        closeSync(output);
        const m = /Transferred: sent (\d+), received (\d+) bytes/.exec(stderr);
        if (code !== 0 || !m) reject(new Error(`ssh ${code}: ${stderr}`));
        else resolve(Number(way === "up" ? m[1] : m[2]));
      });
    });
  };

  const group = `OpenSSH sshd (Compression yes), 16 MiB of text`;
  for (const compressed of [false, true]) {
    const c = hush[String(compressed)];
    const label = compressed ? "with -C (zlib@openssh.com)" : "without -C";
    const down = `Hush client, down, ${label}`;
    Deno.bench({ name: down, group, n: 3, warmup: 1 }, async () => {
      await measure(down, async () => {
        const before = c.transport.bytes.in;
        const s = await c.execStream(`cat '${file}'`);
        let n = 0;
        await Promise.all([
          (async () => {
            for await (const chunk of s.readable) n += chunk.length;
          })(),
          s.writable.close(),
        ]);
        if (n !== E2E_BYTES) throw new Error(`${n} bytes`);
        return c.transport.bytes.in - before;
      });
    });
    const up = `Hush client, up, ${label}`;
    Deno.bench({ name: up, group, n: 3, warmup: 1 }, async () => {
      await measure(up, async () => {
        const before = c.transport.bytes.out;
        const s = await c.execStream("cat > /dev/null");
        const w = s.writable.getWriter();
        for (let at = 0; at < E2E_BYTES; at += 256 * 1024) {
          await w.write(text.subarray(at % text.length, at % text.length + 256 * 1024));
        }
        await w.close();
        await s.exitStatus;
        return c.transport.bytes.out - before;
      });
    });
    const sshDown = `OpenSSH ssh, down, ${label}`;
    Deno.bench({ name: sshDown, group, n: 3, warmup: 1 }, async () => {
      await measure(sshDown, () => ssh(compressed, `cat '${file}'`, "down"));
    });
    const sshUp = `OpenSSH ssh, up, ${label}`;
    Deno.bench({ name: sshUp, group, n: 3, warmup: 1 }, async () => {
      await measure(sshUp, () => ssh(compressed, "cat > /dev/null", "up", file));
    });
  }
  // What each OpenSSH ssh run pays before any data: process start, key exchange, auth.
  Deno.bench({ name: "OpenSSH ssh, connect and run true", group, n: 3, warmup: 1 }, async () => {
    await ssh(false, "true", "down");
  });
}
