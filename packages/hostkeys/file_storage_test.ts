import { test } from "node:test";
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { FileStorage, type KnownHostsFs } from "./file_storage.ts";
import { KnownHosts } from "./known_hosts.ts";
import { decodeBase64 } from "@hush/wire";

/** A KnownHostsFs on node:fs, as an adapter in packages/ssh would write it. */
const nodeFs: KnownHostsFs = {
  async readFile(path) {
    try {
      return new Uint8Array(await fsp.readFile(path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  },
  async writeFile(path, data, { mode, exclusive }) {
    const h = await fsp.open(path, exclusive ? "wx" : "w", mode);
    try {
      await h.writeFile(data);
      await h.chmod(mode);
    } finally {
      await h.close();
    }
  },
  async fsync(path) {
    const h = await fsp.open(path, "r+");
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  remove: (path) => fsp.rm(path, { force: true }),
  async stat(path) {
    try {
      const s = await fsp.stat(path);
      return { mode: s.mode, mtimeMs: s.mtimeMs };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  },
};

const KEY = decodeBase64(
  readFileSync(new URL("./testdata/host_ed25519_1.pub", import.meta.url), "utf8").split(" ")[1],
)!;

function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hush-hostkeys-fs-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test("file storage: creates with 0600, keeps an existing mode, leaves no temp files", async () => {
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    const s = new FileStorage(path, nodeFs);
    assert.equal(await s.read(), undefined);
    // Removing from a file that does not exist changes nothing and creates nothing.
    assert.equal(await new KnownHosts([s]).remove("h"), 0);
    assert.deepEqual(readdirSync(dir), []);
    await s.update((t) => t + "# one\n");
    assert.equal(statSync(path).mode & 0o777, 0o600);
    writeFileSync(path, "# two\r\nno newline at end");
    await fsp.chmod(path, 0o640);
    await s.update((t) => t + "\n# three\n");
    assert.equal(readFileSync(path, "utf8"), "# two\r\nno newline at end\n# three\n");
    assert.equal(statSync(path).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ["known_hosts"]);
  } finally {
    done();
  }
});

test("file storage: bytes that are not UTF-8 survive an update", async () => {
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    const bytes = new Uint8Array([0x23, 0x20, 0xff, 0xfe, 0x80, 0x0a]);
    writeFileSync(path, bytes);
    const s = new FileStorage(path, nodeFs);
    await s.update((t) => t + "# ascii\n");
    const after = new Uint8Array(readFileSync(path));
    assert.deepEqual(after.subarray(0, bytes.length), bytes);
    assert.equal(new TextDecoder().decode(after.subarray(bytes.length)), "# ascii\n");
  } finally {
    done();
  }
});

test("file storage: a failed write leaves the file as it was", async () => {
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    writeFileSync(path, "# keep\n");
    const failing: KnownHostsFs = {
      ...nodeFs,
      rename: () => Promise.reject(new Error("disk full")),
    };
    const s = new FileStorage(path, failing);
    await assert.rejects(s.update((t) => t + "# lost\n"), /disk full/);
    assert.equal(readFileSync(path, "utf8"), "# keep\n");
    assert.deepEqual(readdirSync(dir), ["known_hosts"]);
  } finally {
    done();
  }
});

test("file storage: concurrent writers through separate storages lose no entry", async () => {
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    writeFileSync(path, "# shared\n");
    const writers = Array.from(
      { length: 5 },
      () => new KnownHosts([new FileStorage(path, nodeFs)]),
    );
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      writers.forEach((w, j) => adds.push(w.add(`host-${j}-${i}`, 22, KEY)));
    }
    await Promise.all(adds);
    const lines = readFileSync(path, "utf8").split("\n");
    assert.equal(lines[0], "# shared");
    assert.equal(lines.length, 1 + 100 + 1);
    assert.equal(new Set(lines).size, lines.length);
    assert.deepEqual(readdirSync(dir), ["known_hosts"]);
  } finally {
    done();
  }
});

test("file storage: without the lock, concurrent writers do lose entries (control)", async () => {
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    writeFileSync(path, "");
    const noLock: KnownHostsFs = {
      ...nodeFs,
      lock: () => Promise.resolve(() => Promise.resolve()),
    };
    const writers = Array.from({ length: 20 }, () => new FileStorage(path, noLock));
    await Promise.all(writers.map((w, i) => w.update((t) => t + `# ${i}\n`)));
    const n = readFileSync(path, "utf8").split("\n").length - 1;
    assert.ok(n < 20, `${n} of 20 lines kept without a lock`);
  } finally {
    done();
  }
});

test("file storage: a stale lock file is broken, a live one times out", async () => {
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    writeFileSync(`${path}.lock`, "");
    const old = new Date(Date.now() - 60_000);
    await fsp.utimes(`${path}.lock`, old, old);
    await new FileStorage(path, nodeFs).update(() => "# a\n");
    assert.equal(readFileSync(path, "utf8"), "# a\n");
    writeFileSync(`${path}.lock`, "");
    const s = new FileStorage(path, nodeFs, { lockTimeout: 100 });
    await assert.rejects(s.update(() => "# b\n"), /Cannot lock/);
    assert.equal(readFileSync(path, "utf8"), "# a\n");
  } finally {
    done();
  }
});

test("file storage: a path that is not a regular file (a FIFO, /dev/null) is never replaced", async (t) => {
  const { dir, done } = tempDir();
  try {
    const fifo = join(dir, "fifo");
    try {
      execFileSync("mkfifo", [fifo]);
    } catch {
      return t.skip("mkfifo not available");
    }
    const storage = new FileStorage(fifo, {
      ...nodeFs,
      readFile: () => Promise.resolve(undefined),
    });
    await assert.rejects(storage.update((text) => text + "x\n"), /not a regular file/);
    assert.ok(statSync(fifo).isFIFO(), "still a FIFO");
    assert.deepEqual(readdirSync(dir), ["fifo"], "no lock or temp file left");
    // KnownHosts.add reports it; the FIFO stays
    const store = new KnownHosts([storage]);
    await assert.rejects(store.add("example.org", 22, KEY), /not a regular file/);
    assert.ok(statSync(fifo).isFIFO());
  } finally {
    done();
  }
});
