import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePublicKeyLine, type PublicKey } from "@hush/keys";
import {
  AUTHORIZED_KEYS_LINE_LIMIT,
  AUTHORIZED_KEYS_MAX_ENVIRONMENT,
  AUTHORIZED_KEYS_MAX_PERMITS,
  authorizedKeysChecker,
  matchAddressPatterns,
  parseAuthorizedKeys,
} from "./mod.ts";
import { testSigner } from "./test_peer.ts";

const alice = testSigner(), bob = testSigner();
const line = (k: { publicKey: PublicKey }, comment = "") => k.publicKey.toString(comment);
const now = Date.UTC(2026, 0, 1);

test("options: restrict, re-enabling flags, quoted values with commas and escaped quotes", () => {
  const text = [
    "# comment",
    "",
    `restrict,pty,command="echo \\"a,b\\" ; id",from="10.0.0.0/8,!10.9.9.9" ${
      line(alice, "alice@laptop")
    }`,
    `No-Pty,environment="LANG=C",permitopen="db:5432",permitlisten="8080",expiry-time="20300101" ${
      line(bob)
    }`,
    `  ${line(alice)}  `,
  ].join("\n");
  const { keys, refused } = parseAuthorizedKeys(text);
  assert.deepEqual(refused, []);
  assert.equal(keys.length, 3);
  assert.deepEqual(keys[0].options, {
    noPty: false,
    noPortForwarding: true,
    noAgentForwarding: true,
    noX11Forwarding: true,
    noUserRc: true,
    command: 'echo "a,b" ; id',
    from: ["10.0.0.0/8", "!10.9.9.9"],
  });
  assert.equal(keys[0].comment, "alice@laptop");
  assert.equal(keys[0].line, 3);
  assert.ok(keys[0].key.equals(alice.publicKey));
  assert.deepEqual(keys[1].options, {
    noPty: true,
    environment: ["LANG=C"],
    permitOpen: ["db:5432"],
    permitListen: ["8080"],
    expiryTime: Date.UTC(2030, 0, 1),
  });
  assert.deepEqual(keys[2].options, {});
});

test("lines with options it does not understand are refused, never used", () => {
  const bad = [
    `tunnel="0" ${line(alice)}`,
    `no-touch-required ${line(alice)}`,
    `command ${line(alice)}`,
    `no-pty="x" ${line(alice)}`,
    `command="unterminated ${line(alice)}`,
    `from="10.0.0.1",,no-pty ${line(alice)}`,
    `expiry-time="2030" ${line(alice)}`,
    `environment="=x" ${line(alice)}`,
    `restrict ssh-ed25519 AAAA-not-base64`,
  ];
  const { keys, refused } = parseAuthorizedKeys(bad.join("\n"));
  assert.deepEqual(keys, []);
  assert.deepEqual(refused.map((r) => r.line), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(refused[0].reason, "Unsupported option tunnel");
  assert.equal(refused[2].reason, "Option command needs a value");
});

/** One line with `options` before alice's key: its options, or why it was refused. */
function parseOne(options: string): object | string {
  const { keys, refused } = parseAuthorizedKeys(`${options} ${line(alice)}`);
  return keys[0]?.options ?? refused[0].reason;
}

const repeat = (n: number, option: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => option(i)).join(",");

test("bounds: permitopen and permitlisten hold 4096 destinations each, as OpenSSH's", () => {
  assert.equal(AUTHORIZED_KEYS_MAX_PERMITS, 4096);
  const open = (n: number) => repeat(n, (i) => `permitopen="db${i}:5432"`);
  const atBound = parseOne(open(AUTHORIZED_KEYS_MAX_PERMITS)) as { permitOpen: string[] };
  assert.equal(atBound.permitOpen.length, 4096);
  assert.equal(atBound.permitOpen[4095], "db4095:5432");
  assert.equal(parseOne(open(4097)), "More than 4096 permitopen destinations");
  // Comma lists inside one value count each destination.
  const listen = (n: number) =>
    `permitlisten="${Array.from({ length: n }, (_, i) => i + 1).join(",")}"`;
  const listens = parseOne(listen(4096)) as { permitListen: string[] };
  assert.equal(listens.permitListen.length, 4096);
  assert.equal(parseOne(listen(4097)), "More than 4096 permitlisten destinations");
  // The two lists are bounded apart.
  const both = parseOne(`${open(4096)},${listen(4096)}`) as {
    permitOpen: string[];
    permitListen: string[];
  };
  assert.equal(both.permitOpen.length + both.permitListen.length, 8192);
});

test("bounds: at most 1024 environment options, as OpenSSH's", () => {
  assert.equal(AUTHORIZED_KEYS_MAX_ENVIRONMENT, 1024);
  const env = (n: number) => repeat(n, (i) => `environment="V${i}=x"`);
  assert.equal((parseOne(env(1024)) as { environment: string[] }).environment.length, 1024);
  assert.equal(parseOne(env(1025)), "More than 1024 environment options");
});

test("bounds: command, from and principals may be given once, as OpenSSH's sshd has it", () => {
  assert.equal(parseOne('command="a",command="b"'), "Option command given more than once");
  assert.equal(parseOne('from="10.0.0.1",from="*"'), "Option from given more than once");
  assert.equal(
    parseOne('cert-authority,principals="a",principals="b"'),
    "Option principals given more than once",
  );
  // One value may still list many patterns.
  assert.deepEqual(parseOne('from="10.0.0.1, 10.0.0.2,,192.0.2.0/24"'), {
    from: ["10.0.0.1", "10.0.0.2", "192.0.2.0/24"],
  });
});

test("bounds: a line of AUTHORIZED_KEYS_LINE_LIMIT characters is read, one more is refused", () => {
  assert.equal(AUTHORIZED_KEYS_LINE_LIMIT, 1 << 20);
  const key = line(alice);
  // command="…" padded so that the whole line is exactly `length` characters long.
  const lineOf = (length: number) => {
    const command = "x".repeat(length - key.length - 'command="" '.length);
    return `command="${command}" ${key}`;
  };
  const atBound = parseAuthorizedKeys(lineOf(AUTHORIZED_KEYS_LINE_LIMIT));
  assert.equal(atBound.keys.length, 1);
  assert.equal(
    atBound.keys[0].options.command?.length,
    AUTHORIZED_KEYS_LINE_LIMIT - key.length - 11,
  );
  const past = parseAuthorizedKeys(`${line(bob)}\n${lineOf(AUTHORIZED_KEYS_LINE_LIMIT + 1)}`);
  assert.equal(past.keys.length, 1); // bob's line still counts
  assert.deepEqual(past.refused, [{ line: 2, reason: "Line is longer than 1048576 characters" }]);
});

test("a line of 100 000 options is parsed in one pass: refused past a bound, else read", async () => {
  // Each of these once took minutes, every option copying the list so far, while every other
  // client of the server waited (bench/authorized_keys_bench.ts shows the time now).
  const permits = repeat(100_000, (i) => `permitopen="h${i}:22"`);
  assert.ok(permits.length > AUTHORIZED_KEYS_LINE_LIMIT);
  assert.equal(parseOne(permits), "Line is longer than 1048576 characters");
  assert.equal(
    parseOne(`permitopen="${Array.from({ length: 100_000 }, (_, i) => `h:${i}`).join(",")}"`),
    "More than 4096 permitopen destinations",
  );
  assert.equal(
    parseOne(repeat(5_000, (i) => `environment="V${i}=1"`)),
    "More than 1024 environment options",
  );
  // 100 000 flags and a 100 000-pattern from= fit within the line limit and are read.
  assert.deepEqual(parseOne(repeat(100_000, (i) => (i % 2 ? "pty" : "no-pty"))), { noPty: false });
  const patterns = Array.from({ length: 99_999 }, (_, i) => `h${i}`).concat("10.1.2.3");
  const from = `from="${patterns.join(",")}"`;
  const check = authorizedKeysChecker(`${from} ${line(alice)}`);
  const options = await check("alice", alice.publicKey, { remoteAddress: "10.1.2.3", now });
  assert.equal((options as { from: string[] }).from.length, 100_000);
  assert.equal(await check("alice", alice.publicKey, { remoteAddress: "10.2.0.0", now }), false);
});

test("quoted values: an escaped quote is part of the value, wherever it falls", () => {
  assert.deepEqual(parseOne('command="\\"quoted\\" \\\\\\"x"'), { command: '"quoted" \\\\"x' });
  assert.deepEqual(parseOne('command="",no-pty'), { command: "", noPty: true });
  assert.equal(parseOne('command="a\\"'), "Unterminated quote in options");
});

test("the checker accepts listed keys with their options and honours from= and expiry-time", async () => {
  const text = [
    `from="192.0.2.0/24",no-pty ${line(alice)}`,
    `expiry-time="20250101" ${line(bob)}`,
    `from="2001:db8::/32" ${line(bob)}`,
  ].join("\n");
  const check = authorizedKeysChecker(text);
  assert.deepEqual(await check("alice", alice.publicKey, { remoteAddress: "192.0.2.10", now }), {
    from: ["192.0.2.0/24"],
    noPty: true,
  });
  assert.equal(
    await check("alice", alice.publicKey, { remoteAddress: "198.51.100.1", now }),
    false,
  );
  assert.equal(await check("alice", alice.publicKey, { now }), false);
  // bob's first line expired; the next line still applies
  assert.deepEqual(await check("bob", bob.publicKey, { remoteAddress: "2001:db8::7", now }), {
    from: ["2001:db8::/32"],
  });
  assert.equal(await check("bob", bob.publicKey, { remoteAddress: "192.0.2.10", now }), false);
  assert.equal(
    await check("x", testSigner().publicKey, { remoteAddress: "192.0.2.10", now }),
    false,
  );
});

test("the checker loads per user and treats a missing file as no keys", async () => {
  const files: Record<string, string> = { alice: line(alice) };
  const check = authorizedKeysChecker((user) => Promise.resolve(files[user]));
  assert.deepEqual(await check("alice", alice.publicKey, { now }), {});
  assert.equal(await check("bob", alice.publicKey, { now }), false);
});

test("address patterns: wildcards, CIDR, negation, IPv6 and IPv4-mapped", () => {
  assert.equal(matchAddressPatterns("10.1.2.3", ["10.*"]), true);
  assert.equal(matchAddressPatterns("10.1.2.3", ["10.1.2.?"]), true);
  assert.equal(matchAddressPatterns("10.1.2.30", ["10.1.2.?"]), false);
  assert.equal(matchAddressPatterns("10.1.2.3", ["10.0.0.0/8", "!10.1.2.3"]), false);
  assert.equal(matchAddressPatterns("10.255.0.1", ["10.128.0.0/9"]), true);
  assert.equal(matchAddressPatterns("10.127.0.1", ["10.128.0.0/9"]), false);
  assert.equal(matchAddressPatterns("::ffff:192.0.2.1", ["192.0.2.0/24"]), true);
  assert.equal(matchAddressPatterns("2001:db8:0:0::1", ["2001:db8::1"]), true);
  assert.equal(matchAddressPatterns("2001:db8::1", ["2001:db8::/33"]), true);
  assert.equal(matchAddressPatterns("2001:db8:8000::1", ["2001:db8::/33"]), false);
  assert.equal(matchAddressPatterns("192.0.2.1", ["192.0.2.0/33"]), false);
  assert.equal(matchAddressPatterns(undefined, ["*"]), false);
  assert.equal(matchAddressPatterns("192.0.2.1", []), false);
  assert.equal(matchAddressPatterns("192.0.2.1", ["*"]), true);
});

test("address patterns: many stars match as globs do, without backtracking at each one", () => {
  const address = "2001:db8:1111:1111:1111:1111:1111:1111";
  // Against this address each of these once took about 0.3 s (a RegExp backtracking at every
  // `*`); a from= list of a thousand took minutes.
  const stars = "*1".repeat(14);
  assert.equal(matchAddressPatterns(address, Array(1000).fill(`${stars}*x`)), false);
  assert.equal(
    matchAddressPatterns(address, [...Array(1000).fill(`${stars}*x`), `${stars}`]),
    true,
  );
  assert.equal(matchAddressPatterns("10.1.2.3", ["*.*.*.3"]), true);
  assert.equal(matchAddressPatterns("10.1.2.3", ["*.*.*.*.*"]), false);
  assert.equal(matchAddressPatterns("10.1.2.3", ["1?.*2*"]), true);
  assert.equal(matchAddressPatterns("10.1.2.3", ["**"]), true);
});

function haveKeygen(t: { skip(message?: string): void }): boolean {
  if (spawnSync("sh", ["-c", "command -v ssh-keygen"]).status === 0) return true;
  if (process.env.CI === "true") throw new Error("ssh-keygen not installed");
  t.skip("ssh-keygen not installed");
  return false;
}

/** Signs `user`'s public key with a fresh CA through ssh-keygen -s; returns CA line and cert. */
function certify(
  dir: string,
  user: { publicKey: PublicKey },
  args: string[],
  name = "ca",
): { ca: string; cert: PublicKey } {
  const caFile = join(dir, name);
  try {
    readFileSync(caFile);
  } catch {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", caFile]);
  }
  const pubFile = join(dir, `user-${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(pubFile, user.publicKey.toString() + "\n");
  execFileSync("ssh-keygen", ["-q", "-s", caFile, "-I", "test-id", ...args, pubFile], {
    stdio: "ignore",
  });
  const cert = parsePublicKeyLine(readFileSync(pubFile.replace(/\.pub$/, "-cert.pub"), "utf8")).key;
  return { ca: readFileSync(`${caFile}.pub`, "utf8").trim(), cert };
}

test("cert-authority: user certificates by principal, validity, source-address and force-command", async (t) => {
  if (!haveKeygen(t)) return;
  const dir = mkdtempSync(join(tmpdir(), "hush-auth-ca-"));
  try {
    const clock = Date.now();
    const plain = certify(dir, alice, ["-n", "alice", "-V", "-5m:+1h"]);
    const check = authorizedKeysChecker(`cert-authority ${plain.ca}`);
    const accepted = await check("alice", plain.cert, { now: clock });
    assert.ok(accepted);
    assert.equal(accepted.certAuthority, true);
    assert.equal(accepted.noPty, undefined); // ssh-keygen grants permit-pty by default
    assert.equal(await check("bob", plain.cert, { now: clock }), false);
    // a plain key line does not accept the certificate, nor the CA line the plain key
    assert.equal(
      await authorizedKeysChecker(line(alice))("alice", plain.cert, { now: clock }),
      false,
    );
    assert.equal(await check("alice", alice.publicKey, { now: clock }), false);
    // expired
    assert.equal(await check("alice", plain.cert, { now: clock + 2 * 3600_000 }), false);

    const role = certify(dir, alice, [
      "-n",
      "deploy,ops",
      "-O",
      "no-pty",
      "-O",
      "force-command=uptime",
    ]);
    const withPrincipals = authorizedKeysChecker(`cert-authority,principals="ops" ${role.ca}`);
    const roleOptions = await withPrincipals("alice", role.cert, { now: clock });
    assert.ok(roleOptions);
    assert.equal(roleOptions.command, "uptime");
    assert.equal(roleOptions.noPty, true);
    assert.equal(
      await authorizedKeysChecker(`cert-authority ${role.ca}`)("alice", role.cert, { now: clock }),
      false,
    );
    const conflicting = authorizedKeysChecker(
      `cert-authority,principals="ops",command="id" ${role.ca}`,
    );
    assert.equal(await conflicting("alice", role.cert, { now: clock }), false);

    const sourced = certify(dir, alice, ["-n", "alice", "-O", "source-address=192.0.2.0/24"]);
    const checkSourced = authorizedKeysChecker(`cert-authority ${sourced.ca}`);
    assert.ok(
      await checkSourced("alice", sourced.cert, { remoteAddress: "192.0.2.9", now: clock }),
    );
    assert.equal(
      await checkSourced("alice", sourced.cert, { remoteAddress: "198.51.100.9", now: clock }),
      false,
    );

    const otherCa = certify(dir, alice, ["-n", "alice"], "other-ca");
    assert.equal(await check("alice", otherCa.cert, { now: clock }), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
