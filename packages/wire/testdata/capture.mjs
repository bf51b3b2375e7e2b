// Captures the first bytes OpenSSH sends: sshd's stream (version line + KEXINIT packet) and
// ssh's stream (version line + KEXINIT packet). Run from anywhere with Node 20:
//   node packages/wire/testdata/capture.mjs
// Writes sshd_stream.bin, ssh_stream.bin and openssh_version.txt beside this script.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const out = new URL(".", import.meta.url);
const ours = "SSH-2.0-HushCapture_0.1\r\n";

/** Collects bytes until the version line and one whole packet have arrived. */
function collector(done) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    const nl = buf.indexOf("\n");
    if (nl < 0) return;
    const body = buf.subarray(nl + 1);
    if (body.length < 4) return;
    const need = 4 + body.readUInt32BE(0);
    if (body.length >= need) done(buf.subarray(0, nl + 1 + need));
  };
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "hush-capture-"));
try {
  const versionText = spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr;
  writeFileSync(new URL("openssh_version.txt", out), versionText.trim() + "\n");

  // 1. sshd's stream.
  const hostKey = join(dir, "ssh_host_ed25519_key");
  execFileSync("ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "hush-capture",
    "-f",
    hostKey,
  ]);
  // sshd running as root insists on its privilege separation directory.
  if (process.getuid?.() === 0 && !existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755 });
  const sshdPort = await freePort();
  const sshd = spawn("/usr/sbin/sshd", [
    "-D",
    "-e",
    "-f",
    "/dev/null",
    "-o",
    `ListenAddress=127.0.0.1:${sshdPort}`,
    "-o",
    `HostKey=${hostKey}`,
    "-o",
    "StrictModes=no",
    "-o",
    "UsePAM=no",
    "-o",
    `PidFile=${join(dir, "sshd.pid")}`,
    "-o",
    `AuthorizedKeysFile=${join(dir, "authorized_keys")}`,
  ], { stdio: ["ignore", "ignore", "inherit"] });
  try {
    let server;
    for (let attempt = 0; attempt < 50 && !server; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      server = await new Promise((resolve) => {
        const sock = connect(sshdPort, "127.0.0.1");
        const timer = setTimeout(() => {
          sock.destroy();
          resolve(undefined);
        }, 5000);
        sock.on("error", () => {
          clearTimeout(timer);
          resolve(undefined);
        });
        sock.on("connect", () => sock.write(ours));
        sock.on(
          "data",
          collector((bytes) => {
            clearTimeout(timer);
            sock.destroy();
            resolve(Buffer.from(bytes));
          }),
        );
      });
    }
    if (!server) throw new Error("No KEXINIT from sshd");
    writeFileSync(new URL("sshd_stream.bin", out), server);
  } finally {
    sshd.kill();
  }

  // 2. ssh's stream, captured by a listener that speaks only its version line.
  const client = await new Promise((resolve, reject) => {
    let ssh;
    const listener = createServer((sock) => {
      sock.write(ours);
      sock.on(
        "data",
        collector((bytes) => {
          resolve(Buffer.from(bytes));
          sock.destroy();
          listener.close();
          ssh.kill();
        }),
      );
    }).listen(0, "127.0.0.1", () => {
      ssh = spawn("ssh", [
        "-F",
        "/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "ConnectTimeout=5",
        "-p",
        String(listener.address().port),
        "capture@127.0.0.1",
        "true",
      ], { stdio: "ignore" });
      ssh.on("error", reject);
    });
    setTimeout(() => reject(new Error("No KEXINIT from ssh")), 10000).unref();
  });
  writeFileSync(new URL("ssh_stream.bin", out), client);
  console.log(`sshd_stream.bin: ${readFileSync(new URL("sshd_stream.bin", out)).length} bytes`);
  console.log(`ssh_stream.bin: ${client.length} bytes`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
