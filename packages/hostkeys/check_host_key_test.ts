import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { decodeBase64 } from "@hush/wire";
import { checkHostKey, type HostKeyPrompt } from "./check_host_key.ts";
import { SshError } from "@hush/wire";
import { HostKeyError } from "./errors.ts";
import { KnownHosts } from "./known_hosts.ts";
import { MemoryStorage } from "./storage.ts";

const url = (name: string) => new URL(`./testdata/${name}`, import.meta.url);
const testdata = (name: string) => readFileSync(url(name), "utf8");
const blobOf = (name: string) => decodeBase64(testdata(`${name}.pub`).split(" ")[1])!;
const ED1 = blobOf("host_ed25519_1");
const ED2 = blobOf("host_ed25519_2");
const ED3 = blobOf("host_ed25519_3");
const EC1 = blobOf("host_ecdsa_1");

const USER = "/home/me/.ssh/known_hosts";
const fresh = (text?: string) => new KnownHosts([new MemoryStorage(text, USER)]);

test("accept-new: records an unknown key, then trusts it", async () => {
  const store = fresh();
  const r = await checkHostKey({
    store,
    policy: "accept-new",
    host: "127.0.0.1",
    port: 2222,
    hostKey: ED1,
  });
  assert.equal(r.status, "added");
  assert.deepEqual(r.messages, [
    "Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts.",
  ]);
  const again = await checkHostKey({
    store,
    policy: "yes",
    host: "127.0.0.1",
    port: 2222,
    hostKey: ED1,
  });
  assert.equal(again.status, "trusted");
  assert.deepEqual(again.messages, [
    "Host '[127.0.0.1]:2222' is known and matches the ED25519 host key.",
    `Found key in ${USER}:1`,
  ]);
  assert.match((await store.files[0].read())!, /^\[127\.0\.0\.1\]:2222 ssh-ed25519 \S+\n$/);
});

test("yes: an unknown key is refused", async () => {
  await assert.rejects(
    checkHostKey({ store: fresh(), policy: "yes", host: "example.org", port: 22, hostKey: EC1 }),
    (e) => {
      assert.ok(e instanceof HostKeyError);
      assert.ok(e instanceof SshError);
      assert.equal(e.code, "ERR_SSH_HOST_KEY");
      assert.equal(e.status, "unknown");
      assert.equal(e.reason, 9);
      assert.equal(
        e.message,
        "No ECDSA host key is known for example.org and you have requested strict checking.\n" +
          "Host key verification failed.",
      );
      return true;
    },
  );
});

test("changed: refused under every policy with OpenSSH's warning naming file and line", async () => {
  const text = `# mine\nexample.org ${testdata("host_ed25519_1.pub").trim()}\n`;
  for (const policy of ["yes", "accept-new", "ask", "no"] as const) {
    const store = fresh(text);
    let asked = false;
    await assert.rejects(
      checkHostKey({
        store,
        policy,
        host: "example.org",
        port: 22,
        hostKey: ED2,
        ask: () => (asked = true),
      }),
      (e) => {
        assert.ok(e instanceof HostKeyError);
        assert.equal(e.status, "changed");
        assert.equal(e.reason, 9);
        const lines = e.message.split("\n");
        assert.equal(lines[0], "@".repeat(59));
        assert.equal(lines[1], "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @");
        assert.ok(lines.includes(`Offending ED25519 key in ${USER}:2`), e.message);
        assert.ok(lines.includes(`  ssh-keygen -f "${USER}" -R "example.org"`));
        assert.equal(lines[lines.length - 1], "Host key verification failed.");
        return true;
      },
    );
    assert.equal(asked, false);
    assert.equal(await store.files[0].read(), text, "nothing written");
  }
});

test("revoked: refused under every policy", async () => {
  for (const policy of ["yes", "accept-new", "ask", "no"] as const) {
    await assert.rejects(
      checkHostKey({
        store: fresh(testdata("known_hosts")),
        policy,
        host: "revoked.example.net",
        port: 22,
        hostKey: ED3,
        ask: () => true,
      }),
      (e) =>
        e instanceof HostKeyError && e.status === "revoked" &&
        e.message.includes("WARNING: REVOKED HOST KEY DETECTED!") &&
        e.message.includes("is marked as revoked"),
    );
  }
});

function sshKeygenL(args: string[], t: { skip: (m: string) => void }): string | undefined {
  const r = spawnSync("ssh-keygen", args, { encoding: "utf8" });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    if (process.env.CI === "true") throw new Error("ssh-keygen not installed");
    t.skip("ssh-keygen not installed");
    return undefined;
  }
  return r.stdout;
}

test("ask: the callback sees ssh-keygen's fingerprint and randomart, and decides", async (t) => {
  const out = sshKeygenL(["-lv", "-f", fileURLToPath(url("host_ed25519_1.pub"))], t);
  if (out === undefined) return;
  const [first, ...art] = out.trimEnd().split("\n");
  const prompts: HostKeyPrompt[] = [];
  const store = fresh(`example.org ${testdata("host_ecdsa_1.pub").trim()}\n`);
  await assert.rejects(
    checkHostKey({
      store,
      policy: "ask",
      host: "example.org",
      port: 22,
      hostKey: ED1,
      ask: (p) => (prompts.push(p), false),
    }),
    (e) => e instanceof HostKeyError && e.status === "unknown",
  );
  assert.equal(prompts.length, 1);
  const p = prompts[0];
  assert.equal(p.host, "example.org");
  assert.equal(p.port, 22);
  assert.equal(p.keyType, "ED25519");
  assert.equal(p.fingerprint, first.split(" ")[1]);
  assert.equal(p.randomart, art.join("\n"));
  assert.equal(
    p.message,
    [
      "The authenticity of host 'example.org' can't be established.",
      `ED25519 key fingerprint is ${p.fingerprint}.`,
      "Keys of other types are already known for this host:",
      `    ECDSA key in ${USER}:1`,
      "Are you sure you want to continue connecting (yes/no/[fingerprint])?",
    ].join("\n"),
  );
  const yes = await checkHostKey({
    store,
    policy: "ask",
    host: "example.org",
    port: 22,
    hostKey: ED1,
    ask: () => Promise.resolve(true),
    hashHosts: true,
  });
  assert.equal(yes.status, "added");
  assert.match((await store.files[0].read())!.split("\n")[1], /^\|1\|\S+ ssh-ed25519 /);
  await assert.rejects(
    checkHostKey({ store: fresh(), policy: "ask", host: "h", port: 22, hostKey: ED1 }),
    (e) => e instanceof HostKeyError && e.status === "unknown",
  );
});

test("no: accepts unknown keys, recording them when there is a store", async () => {
  const r = await checkHostKey({ policy: "no", host: "h", port: 22, hostKey: ED1 });
  assert.equal(r.status, "accepted");
  assert.match(r.messages[0], /^Warning: ED25519 host key for 'h' accepted without checking/);
  const store = fresh();
  assert.equal(
    (await checkHostKey({ store, policy: "no", host: "h", port: 22, hostKey: ED1 })).status,
    "added",
  );
  for (const policy of ["yes", "accept-new", "ask"] as const) {
    await assert.rejects(checkHostKey({ policy, host: "h", port: 22, hostKey: ED1 }), TypeError);
  }
});

test("accept-new: a store that cannot be written still lets the connection go on", async () => {
  const broken = {
    name: "/ro/known_hosts",
    read: () => Promise.resolve(undefined),
    update: () => Promise.reject(new Error("Read-only file system")),
  };
  const r = await checkHostKey({
    store: new KnownHosts([broken]),
    policy: "accept-new",
    host: "h",
    port: 22,
    hostKey: ED1,
  });
  assert.equal(r.status, "accepted");
  assert.deepEqual(r.messages, [
    "Failed to add the host to the list of known hosts (/ro/known_hosts): Read-only file system",
  ]);
});

test("certificates: trusted through the CA line; unknown CA falls back to the plain key", async () => {
  const store = fresh(testdata("known_hosts"));
  const cert = blobOf("host_ed25519_4-cert_ok");
  const r = await checkHostKey({
    store,
    policy: "yes",
    host: "server.example.org",
    port: 22,
    hostKey: cert,
  });
  assert.equal(r.status, "trusted");
  assert.deepEqual(r.messages, [
    "Host 'server.example.org' is known and matches the ED25519-CERT host certificate.",
    `Found CA key in ${USER}:26`,
  ]);
  const added = await checkHostKey({
    store,
    policy: "accept-new",
    host: "server.example.com",
    port: 22,
    hostKey: cert,
  });
  assert.equal(added.status, "added");
  const last = (await store.files[0].read())!.trimEnd().split("\n").pop()!;
  assert.equal(
    last,
    `server.example.com ${testdata("host_ed25519_4.pub").split(" ").slice(0, 2).join(" ")}`,
  );
  await assert.rejects(
    checkHostKey({
      store,
      policy: "accept-new",
      host: "server.example.org",
      port: 22,
      hostKey: blobOf("host_ed25519_4-cert_expired"),
    }),
    (e) => e instanceof HostKeyError && /expired/.test(e.message),
  );
});
