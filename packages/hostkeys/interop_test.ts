// Interop with OpenSSH's ssh-keygen: files it hashes or edits are read by Hush, and files
// Hush writes are searched and edited by it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { decodeBase64 } from "@hush/wire";
import { KnownHosts } from "./known_hosts.ts";
import { parseKnownHosts } from "./known_hosts_file.ts";
import { removeKnownHost } from "./known_hosts_edit.ts";
import { knownHostsName } from "./host_name.ts";
import { MemoryStorage } from "./storage.ts";

const testdata = (name: string) =>
  readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8");
const blobOf = (name: string) => decodeBase64(testdata(`${name}.pub`).split(" ")[1])!;

function missingTool(t: { skip: (m: string) => void }): boolean {
  const r = spawnSync("ssh-keygen", ["-F", "none", "-f", "/dev/null"]);
  if ((r.error as NodeJS.ErrnoException | undefined)?.code !== "ENOENT") return false;
  if (process.env.CI === "true") throw new Error("ssh-keygen not installed");
  t.skip("ssh-keygen not installed");
  return true;
}

function keygen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("ssh-keygen", args, { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Line numbers `ssh-keygen -F name -f file` reports. */
function keygenFind(name: string, file: string): number[] {
  const out = keygen("-F", name, "-f", file).stdout;
  return [...out.matchAll(/^# Host .* found: line (\d+)/gm)].map((m) => Number(m[1]));
}

function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hush-hostkeys-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The part of the testdata file without its invalid lines (ssh-keygen refuses to edit those). */
const VALID = testdata("known_hosts").split("# invalid lines")[0];

const NAMES = [
  "sisyphus.example.com",
  "prometheus.example.com",
  "192.0.2.1",
  "2001:db8::1",
  "[prometheus.example.com]:2222",
  "[2001:db8::1]:2222",
  "x.wild.example.org",
  "tame.wild.example.org",
  "a.single.example.org",
  "twice.example.net",
  "revoked.example.net",
  "server.example.org",
  "nowhere.example",
];

test("interop: Hush finds the same lines as ssh-keygen -F in the testdata file", (t) => {
  if (missingTool(t)) return;
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    writeFileSync(path, VALID);
    const file = parseKnownHosts(VALID);
    for (const name of NAMES) {
      assert.deepEqual(file.match(name).map((l) => l.number), keygenFind(name, path), name);
    }
  } finally {
    done();
  }
});

test("interop: a file hashed by ssh-keygen -H gives the same keys for every host", async () => {
  const plain = new KnownHosts([new MemoryStorage(VALID)]);
  const hashed = new KnownHosts([new MemoryStorage(testdata("known_hosts_hashed"))]);
  const key = (r: { keyType: string; blob: Uint8Array; marker?: string }) =>
    `${r.marker ?? ""} ${r.keyType} ${[...r.blob].join(",")}`;
  for (const name of NAMES) {
    const m = /^\[(.*)\]:(\d+)$/.exec(name);
    const [host, port] = m ? [m[1], Number(m[2])] : [name, 22];
    const a = (await plain.lookup(host, port)).map(key);
    const b = (await hashed.lookup(host, port)).map(key);
    assert.deepEqual(b, a, name);
  }
  assert.ok(testdata("known_hosts_hashed").includes("|1|"));
});

test("interop: ssh-keygen -H of a file Hush wrote, then Hush matches the hashes", async (t) => {
  if (missingTool(t)) return;
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    const store = new KnownHosts([new MemoryStorage()]);
    await store.add("alpha.example", 22, blobOf("host_ed25519_1"));
    await store.add("10.1.2.3", 2222, blobOf("host_ecdsa_1"));
    await store.add("::1", 2200, blobOf("host_rsa_1"));
    writeFileSync(path, (await store.files[0].read())!);
    const r = keygen("-H", "-f", path);
    assert.equal(r.status, 0, r.stderr);
    const text = readFileSync(path, "utf8");
    assert.equal((text.match(/^\|1\|/gm) ?? []).length, 3);
    const hashed = new KnownHosts([new MemoryStorage(text)]);
    assert.equal(
      (await hashed.verify("alpha.example", 22, blobOf("host_ed25519_1"))).status,
      "trusted",
    );
    assert.equal((await hashed.verify("10.1.2.3", 2222, blobOf("host_ecdsa_1"))).status, "trusted");
    assert.equal((await hashed.verify("10.1.2.3", 22, blobOf("host_ecdsa_1"))).status, "unknown");
    assert.equal((await hashed.verify("::1", 2200, blobOf("host_rsa_1"))).status, "trusted");
    assert.equal((await hashed.verify("::1", 2200, blobOf("host_ed25519_2"))).status, "unknown");
  } finally {
    done();
  }
});

test("interop: ssh-keygen -F finds what Hush wrote, plain and hashed, with ports", async (t) => {
  if (missingTool(t)) return;
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    const store = new KnownHosts([new MemoryStorage("# written by Hush\n")]);
    await store.add("plain.example", 22, blobOf("host_ed25519_1"));
    await store.add("hashed.example", 22, blobOf("host_ed25519_2"), { hash: true });
    await store.add("plain.example", 2222, blobOf("host_ecdsa_1"));
    await store.add("hashed.example", 2222, blobOf("host_ecdsa_2"), { hash: true });
    await store.add("2001:db8::7", 22, blobOf("host_rsa_1"), { hash: true });
    writeFileSync(path, (await store.files[0].read())!);
    assert.deepEqual(keygenFind("plain.example", path), [2]);
    assert.deepEqual(keygenFind("hashed.example", path), [3]);
    assert.deepEqual(keygenFind("[plain.example]:2222", path), [4]);
    assert.deepEqual(keygenFind("[hashed.example]:2222", path), [5]);
    assert.deepEqual(keygenFind("2001:db8::7", path), [6]);
    assert.deepEqual(keygenFind("other.example", path), []);
    // ssh-keygen prints the key it found; it is the one Hush wrote.
    const out = keygen("-F", "[hashed.example]:2222", "-f", path).stdout;
    assert.ok(out.includes(testdata("host_ecdsa_2.pub").split(" ")[1]));
  } finally {
    done();
  }
});

test("interop: ssh-keygen -R edits a file and Hush reads the rest losslessly", (t) => {
  if (missingTool(t)) return;
  const { dir, done } = tempDir();
  try {
    for (const source of [VALID, testdata("known_hosts_hashed")]) {
      for (const name of NAMES) {
        const path = join(dir, "known_hosts");
        writeFileSync(path, source);
        const r = keygen("-R", name, "-f", path);
        assert.equal(r.status, 0, r.stderr);
        const edited = readFileSync(path, "utf8");
        // Hush's own removal gives exactly the file OpenSSH wrote.
        assert.equal(removeKnownHost(source, name).text, edited, name);
        const file = parseKnownHosts(edited);
        assert.equal(file.toString(), edited);
        assert.deepEqual(file.diagnostics, []);
        assert.deepEqual(file.match(name).filter((l) => !l.entry!.marker), []);
      }
    }
  } finally {
    done();
  }
});

test("interop: KnownHosts.remove agrees with ssh-keygen -R for host and port", async (t) => {
  if (missingTool(t)) return;
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    writeFileSync(path, VALID);
    const r = keygen("-R", knownHostsName("prometheus.example.com", 2222), "-f", path);
    assert.equal(r.status, 0, r.stderr);
    const store = new KnownHosts([new MemoryStorage(VALID)]);
    assert.equal(await store.remove("prometheus.example.com", 2222), 1);
    assert.equal(await store.files[0].read(), readFileSync(path, "utf8"));
  } finally {
    done();
  }
});
