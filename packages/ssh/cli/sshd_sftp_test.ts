import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKey } from "@hush/keys";
import { SftpError, StatusCode } from "@hush/sftp";
import { memoryDuplexPair } from "../adapters/memory.ts";
import { accept } from "../accept.ts";
import type { SshClient } from "../client.ts";
import { connect } from "../connect.ts";
import { runSession, type SessionOptions } from "./sshd_session.ts";
import { internalSftpFlags } from "./sshd_sftp.ts";
import { UsageError } from "./ssh_args.ts";

/** A Hush client connected in memory to a server running sessions as the sshd does. */
async function sshdPair(
  options: SessionOptions = {},
): Promise<{ client: SshClient; trace: string[] }> {
  const hostKey = await generateKey("ssh-ed25519");
  const userKey = await generateKey("ssh-ed25519");
  const trace: string[] = [];
  const [c, s] = memoryDuplexPair();
  accept(s, {
    hostKeys: [hostKey],
    authenticate: { authorizedKeys: userKey.publicKey.toString() },
    onSession: (session, ctx) =>
      runSession(session, ctx, { trace: (l) => trace.push(l), ...options }),
  }).catch(() => {});
  const client = await connect({
    hostname: "test",
    username: "alice",
    duplex: c,
    identities: [userKey],
    policy: "no",
  });
  return { client, trace };
}

function scratch(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hush-sftp-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test("client.sftp() against the sshd's internal-sftp moves real files both ways", async () => {
  const { dir, done } = scratch();
  const { client, trace } = await sshdPair();
  try {
    const data = new Uint8Array(3_000_000).map((_, i) => (i * 7) & 0xff);
    writeFileSync(join(dir, "up"), data, { mode: 0o640 });
    const sftp = await client.sftp();
    assert.ok(sftp.supports("statvfs@openssh.com"));
    await sftp.mkdir(join(dir, "remote"));
    assert.equal(await sftp.fastPut(join(dir, "up"), join(dir, "remote/up")), data.length);
    assert.equal(statSync(join(dir, "remote/up")).mode & 0o777, 0o640);
    const names = (await sftp.list(join(dir, "remote"))).map((e) => e.filename);
    assert.deepEqual(names, ["up"]);
    await sftp.fastGet(join(dir, "remote/up"), join(dir, "down"));
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, "down"))), data);
    assert.ok((await sftp.statvfs(dir)).blocks > 0);
    const missing = await sftp.stat(join(dir, "nope")).catch((e) => e);
    assert.ok(missing instanceof SftpError);
    assert.equal(missing.statusCode, StatusCode.NO_SUCH_FILE);
    await sftp.close();
    assert.ok(trace.some((l) => /subsystem sftp \(internal\)/.test(l)), trace.join("\n"));
  } finally {
    await client.close();
    done();
  }
});

test("ChrootDirectory keeps internal-sftp inside it; commands are refused", async () => {
  const { dir, done } = scratch();
  mkdirSync(join(dir, "jail"));
  writeFileSync(join(dir, "jail/inside"), "inside");
  writeFileSync(join(dir, "secret"), "outside");
  symlinkSync(dir, join(dir, "jail/escape"));
  const { client } = await sshdPair({ chrootDirectory: join(dir, "jail") });
  try {
    const sftp = await client.sftp();
    assert.equal(await sftp.realpath("."), "/");
    assert.equal(new TextDecoder().decode(await sftp.readFile("/inside")), "inside");
    for (const path of ["../secret", "/escape/secret", "/escape"]) {
      const e = await sftp.stat(path).catch((e) => e);
      assert.equal(e.statusCode, StatusCode.PERMISSION_DENIED, path);
    }
    const put = await sftp.put(new Uint8Array([1]), "/escape/planted").catch((e) => e);
    assert.equal(put.statusCode, StatusCode.PERMISSION_DENIED);
    assert.equal(existsSync(join(dir, "planted")), false);
    await sftp.close();
    await assert.rejects(client.exec("true"), /refused/);
  } finally {
    await client.close();
    done();
  }
});

test("internal-sftp -R refuses changes", async () => {
  const { dir, done } = scratch();
  const { client } = await sshdPair({ subsystems: new Map([["sftp", "internal-sftp -R"]]) });
  try {
    const sftp = await client.sftp();
    const e = await sftp.mkdir(join(dir, "d")).catch((e) => e);
    assert.equal(e.statusCode, StatusCode.PERMISSION_DENIED);
    await sftp.close();
  } finally {
    await client.close();
    done();
  }
});

test("a Subsystem command runs as a program; an unknown subsystem is refused", async () => {
  const server = "/usr/lib/openssh/sftp-server";
  const { client, trace } = await sshdPair({
    subsystems: new Map([["sftp", server], ["other", "true"]]),
  });
  try {
    await assert.rejects(
      client.connection.openSession().then((s) => s.subsystem("nope")),
      /refused/,
    );
    if (existsSync(server)) {
      const sftp = await client.sftp();
      assert.equal(sftp.extensions.get("limits@openssh.com"), "1");
      assert.equal(await sftp.realpath("/"), "/");
      await sftp.close();
      assert.ok(trace.some((l) => l.includes(`exec "${server}"`)), trace.join("\n"));
    }
  } finally {
    await client.close();
  }
});

test("internal-sftp flags", () => {
  assert.deepEqual(internalSftpFlags("internal-sftp"), {});
  assert.deepEqual(internalSftpFlags("internal-sftp -l INFO -f AUTH -e -d %h/pub -u 0077"), {
    startDirectory: "%h/pub",
    umask: 0o77,
  });
  assert.equal(internalSftpFlags("/usr/lib/openssh/sftp-server -R"), undefined);
  assert.throws(() => internalSftpFlags("internal-sftp -u 999"), UsageError);
  assert.throws(() => internalSftpFlags("internal-sftp -P read"), UsageError);
});
