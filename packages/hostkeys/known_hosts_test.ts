import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeBase64 } from "@hush/wire";
import { HostKeyError } from "./errors.ts";
import { KnownHosts } from "./known_hosts.ts";
import { MemoryStorage } from "./storage.ts";
import { parsePublicKey } from "@hush/keys";

const testdata = (name: string) =>
  readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8");
const blobOf = (name: string) => decodeBase64(testdata(`${name}.pub`).split(" ")[1])!;

const ED1 = blobOf("host_ed25519_1");
const ED2 = blobOf("host_ed25519_2");
const ED3 = blobOf("host_ed25519_3"); // revoked
const ED4 = blobOf("host_ed25519_4");
const EC1 = blobOf("host_ecdsa_1");
const EC2 = blobOf("host_ecdsa_2");
const RSA = blobOf("host_rsa_1");
const CA1 = blobOf("ca_1");
const CA2 = blobOf("ca_2"); // revoked

const FILE = "/etc/ssh/ssh_known_hosts";
const store = () => new KnownHosts([new MemoryStorage(testdata("known_hosts"), FILE)]);

async function verdict(host: string, port: number, blob: Uint8Array) {
  const v = await store().verify(host, port, blob);
  return [v.status, v.found?.line];
}

test("verify: plain lines, host lists, ports", async () => {
  assert.deepEqual(await verdict("sisyphus.example.com", 22, ED1), ["trusted", 6]);
  assert.deepEqual(await verdict("SISYPHUS.example.com", 22, EC1), ["trusted", 7]);
  assert.deepEqual(await verdict("prometheus.example.com", 22, ED2), ["trusted", 8]);
  assert.deepEqual(await verdict("192.0.2.1", 22, ED2), ["trusted", 8]);
  assert.deepEqual(await verdict("2001:db8::1", 22, ED2), ["trusted", 8]);
  assert.deepEqual(await verdict("prometheus.example.com", 2222, RSA), ["trusted", 9]);
  assert.deepEqual(await verdict("prometheus.example.com", 22, RSA), ["unknown", undefined]);
  assert.deepEqual(await verdict("prometheus.example.com", 2222, ED2), ["unknown", undefined]);
  assert.deepEqual(await verdict("2001:db8::1", 2222, EC2), ["trusted", 10]);
});

test("verify: changed names the old line; other key types are unknown", async () => {
  const v = await store().verify("sisyphus.example.com", 22, ED2);
  assert.equal(v.status, "changed");
  assert.equal(v.found?.file, FILE);
  assert.equal(v.found?.line, 6);
  assert.deepEqual(v.found?.blob, ED1);
  assert.deepEqual([v.file, v.line], [FILE, 6]);
  assert.equal(v.keyType, "ssh-ed25519");
  const u = await store().verify("sisyphus.example.com", 22, RSA);
  assert.equal(u.status, "unknown");
  assert.deepEqual(u.otherKeys?.map((r) => r.line), [6, 7]);
  // An ECDSA key of another curve is another key type.
  assert.equal((await store().verify("sisyphus.example.com", 22, EC2)).status, "unknown");
});

test("verify: wildcards and negation", async () => {
  assert.deepEqual(await verdict("x.wild.example.org", 22, ED2), ["trusted", 13]);
  assert.deepEqual(await verdict("tame.wild.example.org", 22, ED2), ["unknown", undefined]);
  assert.deepEqual(await verdict("wild.example.org", 22, ED2), ["unknown", undefined]);
  assert.deepEqual(await verdict("a.single.example.org", 22, EC1), ["trusted", 14]);
  assert.deepEqual(await verdict("ab.single.example.org", 22, EC1), ["unknown", undefined]);
  assert.deepEqual(await verdict("x.wild.example.org", 22, ED1), ["changed", 13]);
});

test("verify: several lines for one host, any of them trusts", async () => {
  assert.deepEqual(await verdict("twice.example.net", 22, ED1), ["trusted", 17]);
  assert.deepEqual(await verdict("twice.example.net", 22, ED2), ["trusted", 18]);
});

test("verify: a revoked key is refused even where another line trusts it", async () => {
  assert.deepEqual(await verdict("revoked.example.net", 22, ED3), ["revoked", 21]);
  assert.deepEqual(await verdict("anything", 2222, ED3), ["revoked", 21]);
  // A revoked CA key presented as a plain host key is revoked too.
  assert.deepEqual(await verdict("x", 22, CA2), ["revoked", 22]);
});

test("verify: host certificates through @cert-authority", async () => {
  const cert = (n: string) => blobOf(`host_ed25519_4-${n}`);
  const s = store();
  const ok = await s.verify("server.example.org", 22, cert("cert_ok"));
  assert.equal(ok.status, "trusted");
  assert.equal(ok.viaCertificate, true);
  assert.equal(ok.found?.line, 26);
  assert.equal(ok.found?.marker, "cert-authority");
  assert.equal((await s.verify("cert.example.org", 22, cert("cert_ok"))).status, "trusted");
  // On another port the name is "[cert.example.org]:2222", which "*.example.org" does not match.
  assert.equal((await s.verify("cert.example.org", 2222, cert("cert_ok"))).status, "unknown");
  // Signed by a revoked CA: revoked, although a CA line for it exists too.
  assert.deepEqual(
    await verdict("server.example.org", 22, cert("cert_revoked_ca")),
    ["revoked", 22],
  );
  // The certified key itself is revoked.
  assert.deepEqual(
    await verdict("server.example.org", 22, blobOf("host_ed25519_3-cert_ok")),
    ["revoked", 21],
  );
  // A trusted CA, but the certificate does not fit: refused.
  await assert.rejects(s.verify("server.example.org", 22, cert("cert_expired")), (e) => {
    assert.ok(e instanceof HostKeyError);
    assert.match(e.message, /^Certificate invalid: Certificate has expired/);
    return true;
  });
  await assert.rejects(
    s.verify("server.example.org", 22, cert("cert_principal")),
    /Certificate invalid: .*principal "server.example.org"/,
  );
  // No CA line applies to the host: the certificate is judged as its plain key.
  const plain = await s.verify("server.example.com", 22, cert("cert_ok"));
  assert.equal(plain.status, "unknown");
  assert.equal(plain.viaCertificate, false);
  assert.equal(plain.keyType, "ssh-ed25519");
  assert.deepEqual(plain.blob, ED4);
  const pinned = new KnownHosts([
    new MemoryStorage(
      `server.example.com ssh-ed25519 ${testdata("host_ed25519_4.pub").split(" ")[1]}\n`,
    ),
  ]);
  const viaPlain = await pinned.verify("server.example.com", 22, cert("cert_ok"));
  assert.deepEqual([viaPlain.status, viaPlain.viaCertificate, viaPlain.line], [
    "trusted",
    false,
    1,
  ]);
  // A certificate whose signed bytes were altered does not verify: refused as malformed.
  const forged = cert("cert_ok").slice();
  const at = new TextDecoder("latin1").decode(forged).indexOf("server.example.org");
  assert.ok(at > 0);
  forged[at] ^= 0x20; // "Server.example.org"
  await assert.rejects(
    s.verify("server.example.org", 22, forged),
    (e) => e instanceof HostKeyError && e.message === "Host certificate is malformed",
  );
  // The CA key itself, presented as a plain host key, is not trusted by the CA line.
  assert.equal((await s.verify("server.example.org", 22, CA1)).status, "unknown");
  // The injected clock decides validity ("always" starts at 0, cert_expired in 2000).
  const past = new KnownHosts([new MemoryStorage(testdata("known_hosts"))], { now: () => 0 });
  assert.equal((await past.verify("server.example.org", 22, cert("cert_ok"))).status, "trusted");
  await assert.rejects(
    past.verify("server.example.org", 22, cert("cert_expired")),
    /not yet valid/,
  );
});

test("verify: a malformed key blob is a HostKeyError", async () => {
  await assert.rejects(store().verify("x", 22, new Uint8Array([0, 0, 0, 99])), HostKeyError);
  await assert.rejects(
    store().verify("x", 22, decodeBase64("AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t")!),
    (e) => e instanceof HostKeyError && /malformed/.test(e.message),
  );
});

test("files: searched in order, user file first; edits go to the user file", async () => {
  const user = new MemoryStorage("", "~/.ssh/known_hosts");
  const global = new MemoryStorage(testdata("known_hosts"), FILE);
  const kh = new KnownHosts([user, global]);
  const v = await kh.verify("sisyphus.example.com", 22, ED1);
  assert.equal(v.found?.file, FILE);
  await kh.add("sisyphus.example.com", 22, ED2);
  // Either file may trust the key.
  const v2 = await kh.verify("sisyphus.example.com", 22, ED2);
  assert.deepEqual([v2.status, v2.found?.file, v2.found?.line], [
    "trusted",
    "~/.ssh/known_hosts",
    1,
  ]);
  assert.equal((await kh.verify("sisyphus.example.com", 22, ED1)).status, "trusted");
  const recs = await kh.lookup("sisyphus.example.com");
  assert.deepEqual(recs.map((r) => `${r.file}:${r.line}:${r.marker ?? ""}`), [
    "~/.ssh/known_hosts:1:",
    `${FILE}:6:`,
    `${FILE}:7:`,
    `${FILE}:21:revoked`,
    `${FILE}:22:revoked`,
  ]);
  assert.equal(await kh.remove("sisyphus.example.com"), 1);
  assert.equal(await user.read(), "");
  assert.equal(await global.read(), testdata("known_hosts"));
  const diags = await kh.diagnostics();
  assert.equal(diags.length, 1);
  assert.equal(diags[0].file, FILE);
  assert.equal(diags[0].diagnostics.length, 8);
});

test("add: plain, hashed, ports, no duplicates, comment; certificates refused", async () => {
  const user = new MemoryStorage(undefined, "u");
  const kh = new KnownHosts([user]);
  await kh.add("Host.Example", 22, ED1);
  await kh.add("host.example", 22, ED1);
  await kh.add("10.0.0.1", 2222, EC1, { hash: true, comment: "added by test" });
  await kh.add("::1", 2200, parsePublicKey(RSA));
  const text = (await user.read())!;
  const lines = text.split("\n");
  assert.equal(lines.length, 4);
  assert.equal(
    lines[0],
    `host.example ${testdata("host_ed25519_1.pub").split(" ").slice(0, 2).join(" ")}`,
  );
  assert.match(
    lines[1],
    /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ecdsa-sha2-nistp256 \S+ added by test$/,
  );
  assert.match(lines[2], /^\[::1\]:2200 ssh-rsa /);
  assert.equal((await kh.verify("10.0.0.1", 2222, EC1)).status, "trusted");
  assert.equal((await kh.verify("10.0.0.1", 22, EC1)).status, "unknown");
  await assert.rejects(kh.add("x", 22, blobOf("host_ed25519_4-cert_ok")), TypeError);
  await assert.rejects(kh.add("x", 22, new Uint8Array(3)), TypeError);
  await assert.rejects(kh.add("x", 70000, ED1), RangeError);
  assert.equal(await kh.remove("10.0.0.1", 2222), 1);
  assert.equal(await kh.remove("10.0.0.1", 2222), 0);
});

test("lookup: 10 000-line file stays fast", async () => {
  const key = testdata("host_ed25519_1.pub").split(" ").slice(0, 2).join(" ");
  const lines: string[] = [];
  for (let i = 0; i < 5_000; i++) {
    lines.push(`host${i}.example.net,10.0.${i >> 8}.${i & 255} ${key}`);
  }
  const hashed = new KnownHosts([new MemoryStorage()]);
  for (let i = 0; i < 100; i++) await hashed.add(`h${i}`, 22, ED1, { hash: true });
  const hashedText = (await hashed.files[0].read())!;
  for (let i = 0; i < 50; i++) lines.push(hashedText.trimEnd());
  const text = lines.join("\n") + "\n";
  const kh = new KnownHosts([new MemoryStorage(text)]);
  const t0 = performance.now();
  assert.equal((await kh.verify("host4999.example.net", 22, ED1)).status, "trusted");
  const t1 = performance.now();
  for (let i = 0; i < 10; i++) await kh.verify("nothere.example.net", 22, ED1);
  const t2 = performance.now();
  const first = t1 - t0;
  const each = (t2 - t1) / 10;
  assert.equal(text.split("\n").length - 1, 10_000);
  console.log(
    `10 000 lines (5 000 hashed): first verify ${first.toFixed(1)} ms, then ${each.toFixed(1)} ms`,
  );
  assert.ok(each < 1000, `${each} ms`);
});
