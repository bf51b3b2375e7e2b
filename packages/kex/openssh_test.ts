// Key exchanges against the real OpenSSH (`sshd -i` as the server, `ssh` as the client): a
// verified signature over our H (client side) or the peer's NEWKEYS (server side) proves that
// both computed the same exchange hash. The transport's own interop tests go further.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { certificateSigner, parsePrivateKey, parsePublicKeyLine, type Signer } from "@hush/keys";
import { decodeMessage, encodeMessage, framePacket, type Message, unframePacket } from "@hush/wire";
import {
  createClientExchange,
  createKexInit,
  createServerExchange,
  type KexExchange,
  negotiate,
  parseKexInit,
} from "./mod.ts";

const SSHD = ["/usr/sbin/sshd", "/usr/local/sbin/sshd"].find((p) =>
  spawnSync(p, ["-?"]).error === undefined
);
const SSH = spawnSync("ssh", ["-V"]).error === undefined ? "ssh" : undefined;
const KEYGEN = spawnSync("ssh-keygen", ["-?"]).error === undefined;

function skipUnless(t: { skip: (m: string) => void }, ok: unknown, what: string): boolean {
  if (ok) return false;
  if (process.env.CI === "true") throw new Error(`${what} not installed`);
  t.skip(`${what} not installed`);
  return true;
}

/**
 * Methods to try against OpenSSH (mlkem768x25519-sha256 and the plain sntrup761x25519-sha512
 * name came in 9.9, see `OpenSshBinaries`).
 */
const METHODS = [
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
  "diffie-hellman-group-exchange-sha256",
  "diffie-hellman-group16-sha512",
  "diffie-hellman-group18-sha512",
  "diffie-hellman-group14-sha256",
  "mlkem768x25519-sha256",
  "sntrup761x25519-sha512@openssh.com",
  "sntrup761x25519-sha512",
];
const supported = SSH ? execFileSync("ssh", ["-Q", "kex"], { encoding: "utf8" }).split("\n") : [];

/** Which OpenSSH programs to run, and what its sshd needs on the command line. */
interface OpenSshBinaries {
  ssh: string;
  sshd: string;
  sshdOptions: string[];
}
const SYSTEM: OpenSshBinaries | undefined = SSH && SSHD
  ? { ssh: SSH, sshd: SSHD, sshdOptions: [] }
  : undefined;

/**
 * OpenSSH 10 as tests/tools/fetch_openssh_pq.sh unpacks it from Debian 13's packages (`.ci/run`
 * fetches it), for the methods the system's OpenSSH lacks: Debian 12's 9.2 has no mlkem.
 */
function unpackedOpenSsh(): (OpenSshBinaries & { kex: string[] }) | undefined {
  const cache = process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? "/", ".cache");
  const bin = join(process.env.HUSH_OPENSSH_PQ ?? join(cache, "hush", "openssh-pq"), "bin");
  const ssh = join(bin, "ssh");
  const q = spawnSync(ssh, ["-Q", "kex"], { encoding: "utf8" });
  if (q.error || q.status !== 0) return undefined;
  const helpers = [["SshdSessionPath", "sshd-session"], ["SshdAuthPath", "sshd-auth"]]
    .filter(([, name]) => spawnSync("test", ["-x", join(bin, name)]).status === 0)
    .flatMap(([option, name]) => ["-o", `${option}=${join(bin, name)}`]);
  return { ssh, sshd: join(bin, "sshd"), sshdOptions: helpers, kex: q.stdout.split("\n") };
}
const UNPACKED = unpackedOpenSsh();

/** The OpenSSH to test `kex` against: the system's if it has the method, else the unpacked one. */
function openSshFor(kex: string): OpenSshBinaries | undefined {
  if (supported.includes(kex)) return SYSTEM;
  if (UNPACKED?.kex.includes(kex)) return UNPACKED;
  return undefined;
}

const HOST_KEYS: [string, string, string[]][] = [
  ["ed25519", "ssh-ed25519", ["ssh-ed25519"]],
  ["ecdsa", "ecdsa-sha2-nistp384", ["-b", "384"]],
  ["rsa", "rsa-sha2-512", ["-b", "2048"]],
];

const dir = mkdtempSync(join(tmpdir(), "hush-kex-"));
// node:test's after(): Deno's test runner never fires a module's process "exit" (64 of these
// directories had piled up in /tmp).
after(() => rmSync(dir, { recursive: true, force: true }));
function keyFile(type: string, extra: string[]): string {
  const file = join(dir, `host_${type}`);
  try {
    readFileSync(file);
  } catch {
    execFileSync("ssh-keygen", ["-q", "-t", type.split("-")[0], ...extra, "-N", "", "-f", file]);
  }
  return file;
}

/** Reads the version line, then unencrypted packets, from a byte stream. */
class PlainReader {
  #buf = new Uint8Array(0);
  #waiters: (() => void)[] = [];
  #ended = false;
  push(chunk: Uint8Array): void {
    const next = new Uint8Array(this.#buf.length + chunk.length);
    next.set(this.#buf);
    next.set(chunk, this.#buf.length);
    this.#buf = next;
    for (const w of this.#waiters.splice(0)) w();
  }
  end(): void {
    this.#ended = true;
    for (const w of this.#waiters.splice(0)) w();
  }
  async #need(n: number): Promise<void> {
    while (this.#buf.length < n) {
      if (this.#ended) throw new Error(`Peer closed the connection`);
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }
  async versionLine(): Promise<string> {
    for (;;) {
      const nl = this.#buf.indexOf(10);
      if (nl >= 0) {
        const line = new TextDecoder().decode(this.#buf.subarray(0, nl)).replace(/\r$/, "");
        this.#buf = this.#buf.slice(nl + 1);
        if (line.startsWith("SSH-")) return line;
        continue;
      }
      await this.#need(this.#buf.length + 1);
    }
  }
  async payload(): Promise<Uint8Array> {
    await this.#need(4);
    const len = new DataView(this.#buf.buffer, this.#buf.byteOffset).getUint32(0);
    if (len > 256 * 1024) throw new Error("Packet too long");
    await this.#need(4 + len);
    const payload = unframePacket(this.#buf.subarray(0, 4 + len)).slice();
    this.#buf = this.#buf.slice(4 + len);
    return payload;
  }
}

const frame = (m: Message | Uint8Array) =>
  framePacket(m instanceof Uint8Array ? m : encodeMessage(m), {
    blockSize: 8,
    macLength: 0,
    lengthInClear: false,
  });

const prefs = (kex: string, hostKey: string) => ({
  kex: [kex],
  hostKey: [hostKey],
  ciphers: ["aes128-ctr", "chacha20-poly1305@openssh.com"],
  macs: ["hmac-sha2-256"],
  compression: ["none"],
});
const isAead = (c: string) => c.startsWith("chacha20");

/** Our client against `sshd -i`: resolves once sshd's signature over our H verified. */
async function clientAgainstSshd(
  kex: string,
  keyType: string,
  extra: string[],
  hostKeyAlg: string,
  sshdOptions: string[] = [],
  openssh: OpenSshBinaries = SYSTEM!,
) {
  const child = spawn(openssh.sshd, [
    ...openssh.sshdOptions,
    ...sshdOptions,
    "-i",
    "-e",
    "-f",
    "/dev/null",
    "-h",
    keyFile(keyType, extra),
    "-o",
    `KexAlgorithms=${kex}`,
    "-o",
    `HostKeyAlgorithms=${hostKeyAlg}`,
    "-o",
    "LogLevel=ERROR",
  ], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const reader = new PlainReader();
  child.stdout.on("data", (d: Buffer) => reader.push(new Uint8Array(d)));
  child.stdout.on("end", () => reader.end());
  const write = (b: Uint8Array) => child.stdin.write(b);
  try {
    const ourVersion = "SSH-2.0-HushKexTest_0.1";
    write(new TextEncoder().encode(ourVersion + "\r\n"));
    const peerVersion = await reader.versionLine();
    const ours = createKexInit(prefs(kex, hostKeyAlg), { role: "client", first: true });
    const oursPayload = encodeMessage(ours);
    write(frame(oursPayload));
    const theirsPayload = await reader.payload();
    const n = negotiate(ours, parseKexInit(theirsPayload), { isAead, first: true });
    assert.equal(n.kex, kex);
    assert.equal(n.strictKex, true);
    const exchange = createClientExchange(n.kex, {
      clientVersion: ourVersion,
      serverVersion: peerVersion,
      clientKexInit: oursPayload,
      serverKexInit: theirsPayload,
      hostKeyAlgorithm: n.hostKey,
    });
    await drive(exchange, write, reader);
    const newKeys = decodeMessage(await reader.payload());
    assert.equal(newKeys.type, "newKeys");
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : e}\nsshd: ${stderr}`, { cause: e });
  } finally {
    child.kill();
  }
}

async function drive(exchange: KexExchange, write: (b: Uint8Array) => void, reader: PlainReader) {
  for (const m of await exchange.start()) write(frame(m));
  for (;;) {
    const msg = decodeMessage(await reader.payload(), exchange.decodeContext);
    const { reply, result } = await exchange.receive(msg);
    for (const m of reply) write(frame(m));
    if (result) return result;
  }
}

/** `ssh` against our server: resolves once ssh accepted our signature and sent NEWKEYS. */
async function sshAgainstServer(
  kex: string,
  keyType: string,
  extra: string[],
  hostKeyAlg: string,
  signer?: Signer,
  openssh: OpenSshBinaries = SYSTEM!,
) {
  const hostKey = signer ?? await parsePrivateKey(readFileSync(keyFile(keyType, extra), "utf8"));
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<Socket>((r) => server.once("connection", r));
  const child = spawn(openssh.ssh, [
    "-p",
    String(port),
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    `KexAlgorithms=${kex}`,
    "-o",
    `HostKeyAlgorithms=${hostKeyAlg}`,
    "-o",
    "LogLevel=ERROR",
    "-F",
    "/dev/null",
    "test@127.0.0.1",
    "true",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const socket = await accepted;
  const reader = new PlainReader();
  socket.on("data", (d: Buffer) => reader.push(new Uint8Array(d)));
  socket.on("end", () => reader.end());
  socket.on("error", () => reader.end());
  const write = (b: Uint8Array) => socket.write(b);
  try {
    const ourVersion = "SSH-2.0-HushKexTest_0.1";
    write(new TextEncoder().encode(ourVersion + "\r\n"));
    const peerVersion = await reader.versionLine();
    const ours = createKexInit(prefs(kex, hostKeyAlg), { role: "server", first: true });
    const oursPayload = encodeMessage(ours);
    write(frame(oursPayload));
    const theirsPayload = await reader.payload();
    const n = negotiate(parseKexInit(theirsPayload), ours, { isAead, first: true });
    assert.equal(n.kex, kex);
    const exchange = createServerExchange(n.kex, {
      clientVersion: peerVersion,
      serverVersion: ourVersion,
      clientKexInit: theirsPayload,
      serverKexInit: oursPayload,
      hostKeyAlgorithm: n.hostKey,
      hostKey,
    });
    await drive(exchange, write, reader);
    write(frame({ type: "newKeys" }));
    const newKeys = decodeMessage(await reader.payload());
    assert.equal(newKeys.type, "newKeys", "ssh did not accept the exchange");
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : e}\nssh: ${stderr}`, { cause: e });
  } finally {
    child.kill();
    socket.destroy();
    server.close();
  }
}

for (const kex of METHODS) {
  test(`OpenSSH sshd as server: ${kex}`, async (t) => {
    if (skipUnless(t, SSHD && KEYGEN && SSH, "sshd")) return;
    const openssh = openSshFor(kex);
    if (skipUnless(t, openssh, `an OpenSSH with ${kex} (bash tests/tools/fetch_openssh_pq.sh)`)) {
      return;
    }
    await clientAgainstSshd(kex, "ed25519", [], "ssh-ed25519", [], openssh);
  });
  test(`OpenSSH ssh as client: ${kex}`, async (t) => {
    if (skipUnless(t, SSH && KEYGEN, "ssh")) return;
    const openssh = openSshFor(kex);
    if (skipUnless(t, openssh, `an OpenSSH with ${kex} (bash tests/tools/fetch_openssh_pq.sh)`)) {
      return;
    }
    await sshAgainstServer(kex, "ed25519", [], "ssh-ed25519", undefined, openssh);
  });
}

for (const [type, alg, extra] of HOST_KEYS.slice(1)) {
  test(`OpenSSH both ways with a ${type} host key (${alg})`, async (t) => {
    if (skipUnless(t, SSHD && SSH && KEYGEN, "sshd")) return;
    await clientAgainstSshd("curve25519-sha256", type, extra, alg);
    await sshAgainstServer("ecdh-sha2-nistp256", type, extra, alg);
  });
}

test("OpenSSH both ways with an Ed25519 host certificate", async (t) => {
  if (skipUnless(t, SSHD && SSH && KEYGEN, "sshd")) return;
  const key = keyFile("ed25519", []);
  const ca = keyFile("ed25519-ca", []);
  execFileSync("ssh-keygen", [
    "-q",
    "-s",
    ca,
    "-I",
    "hush-kex-test",
    "-h",
    "-n",
    "127.0.0.1",
    `${key}.pub`,
  ]);
  const certFile = `${key}-cert.pub`;
  const alg = "ssh-ed25519-cert-v01@openssh.com";
  await clientAgainstSshd("curve25519-sha256", "ed25519", [], alg, [
    "-o",
    `HostCertificate=${certFile}`,
  ]);
  const signer = certificateSigner(
    await parsePrivateKey(readFileSync(key, "utf8")),
    parsePublicKeyLine(readFileSync(certFile, "utf8")).key,
  );
  await sshAgainstServer("ecdh-sha2-nistp256", "ed25519", [], alg, signer);
});
