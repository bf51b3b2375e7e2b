/**
 * `deno task bench:e2e`: the data path measured as a user would, side by side in one run on one
 * machine, against one throwaway OpenSSH `sshd` (and one Hush sshd) on loopback.
 *
 * Rows (clients → servers): OpenSSH `ssh` → `sshd`; ssh2 (npm, native addon) on Node → `sshd`;
 * Hush's library on Deno, Node and Bun → `sshd`; Hush's `ssh` command → `sshd`; OpenSSH `ssh` →
 * Hush's sshd. Columns: each cipher suite, up (`wc -c`) and down (`head -c`), MB/s (medians of
 * the rounds). Library rows time the transfer inside the process; command rows time the whole
 * process less the median time of `ssh host true` for that client and server.
 * Then: handshake (connect + auth) per client, keystroke round trips (1 byte echoed by a pty,
 * `ssh -tt host cat`), and connections per second with 50 parallel clients for both servers.
 * It prints medians and the ratios against ssh2 and OpenSSH; `--json FILE` keeps the numbers.
 *
 * Environment: `E2E_MIB` (256), `E2E_ROUNDS` (3), `E2E_ROWS` (comma list of row ids to run),
 * `E2E_SUITES` (comma list of suite ids), `E2E_SKIP` (comma list of: throughput, handshake,
 * keystrokes, connections).
 * @module
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { startSshd } from "../../tests/helpers/openssh.ts";
import { CLIENT_DENO_FLAGS, SSHD_DENO_FLAGS } from "../../tests/interop/server_fixture.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MIB = Number(process.env.E2E_MIB ?? 256);
const BYTES = MIB * 1024 * 1024;
const ROUNDS = Number(process.env.E2E_ROUNDS ?? 3);
const SKIP = new Set((process.env.E2E_SKIP ?? "").split(",").filter(Boolean));
const CACHE = join(homedir(), ".cache/hush");
const NPM_DIR = join(CACHE, "bench-npm");
const SSH2_VERSION = "1.17.0";

interface Suite {
  id: string;
  cipher: string;
  mac?: string;
  kex?: string;
}
const SUITES: Suite[] = [
  { id: "chacha20-poly1305", cipher: "chacha20-poly1305@openssh.com" },
  { id: "aes128-gcm", cipher: "aes128-gcm@openssh.com" },
  { id: "aes256-gcm", cipher: "aes256-gcm@openssh.com" },
  { id: "aes128-ctr+etm", cipher: "aes128-ctr", mac: "hmac-sha2-256-etm@openssh.com" },
].filter((s) => !process.env.E2E_SUITES || process.env.E2E_SUITES.split(",").includes(s.id));

type Direction = "up" | "down";

/** One client → server pairing of the table. */
interface Row {
  id: string;
  label: string;
  /** Moves BYTES one way; resolves the transfer time in ms (or undefined when unavailable). */
  transfer(suite: Suite, direction: Direction): Promise<number>;
  /** One connect + auth, in ms, with the client's default kex or `kex`. */
  handshake?(kex?: string): Promise<number>;
}

const work = mkdtempSync(join(tmpdir(), "hush-bench-e2e-"));
const home = join(work, "home");
mkdirSync(home);
const key = join(work, "id_ed25519");
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
const publicLine = readFileSync(`${key}.pub`, "utf8").trim();
const keysFile = join(work, "authorized_keys");
writeFileSync(keysFile, publicLine + "\n");
const user = process.env.USER ?? "root";

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Runs a command to its end; resolves its wall time and output. */
function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: performance.now() - t0, code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// --- the pieces: servers, bundles, ssh2 -------------------------------------------------------

const sshd = await startSshd({ authorizedKeys: [publicLine], logLevel: "ERROR" });
const denoDir = process.env.DENO_DIR ?? join(homedir(), ".cache/deno");
const hushEnv = { HOME: home, DENO_DIR: denoDir, HUSH_STATE_DIR: join(work, "state") };

/** The Hush sshd command, started with the bench's HOME (so the shell start-up is as OpenSSH's). */
async function startHushSshd(): Promise<{ port: number; stop: () => void }> {
  const child = spawn("deno", [
    "run",
    "-A",
    ...SSHD_DENO_FLAGS,
    join(ROOT, "packages/ssh/cli/sshd.ts"),
    "-p",
    "0",
    "-o",
    "ListenAddress=127.0.0.1",
    "-o",
    `AuthorizedKeysFile=${keysFile}`,
    "-o",
    "MaxStartups=100",
  ], { env: { ...process.env, ...hushEnv }, stdio: ["ignore", "pipe", "ignore"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      const m = /listening on [^\s:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", () => reject(new Error("Hush sshd exited at start")));
  });
  return { port, stop: () => child.kill("SIGTERM") };
}
const hushSshd = await startHushSshd();

/** Bundles the Hush client for Node and Bun (as the test runner bundles tests). */
const bundle = join(work, "hush_client.bundle.mjs");
execFileSync("deno", [
  "bundle",
  "--quiet",
  "--platform=node",
  "-o",
  bundle,
  join(ROOT, "bench/e2e/hush_client.ts"),
]);

/** ssh2 from npm into the cache folder (its native addon built by node-gyp), never the project. */
function ssh2Path(): string | undefined {
  const dir = join(NPM_DIR, "node_modules/ssh2");
  if (!existsSync(join(dir, "package.json"))) {
    mkdirSync(NPM_DIR, { recursive: true });
    log(`installing ssh2@${SSH2_VERSION} into ${NPM_DIR}`);
    const r = spawnSync("npm", [
      "install",
      "--no-save",
      "--prefix",
      NPM_DIR,
      `ssh2@${SSH2_VERSION}`,
    ], { stdio: "inherit" });
    if (r.status !== 0) return undefined;
  }
  const addon = existsSync(join(dir, "lib/protocol/crypto/build/Release/sshcrypto.node"));
  log(`ssh2 ${SSH2_VERSION}: native addon ${addon ? "built" : "NOT built (pure JS)"}`);
  return dir;
}
const ssh2 = ssh2Path();

const has = (cmd: string) => spawnSync(cmd, ["--version"]).status === 0;

// --- the rows ----------------------------------------------------------------------------------

const sshOptions = (port: number, suite?: Suite): string[] => [
  "-F",
  "none",
  "-o",
  "StrictHostKeyChecking=no",
  "-o",
  "UserKnownHostsFile=/dev/null",
  "-o",
  "BatchMode=yes",
  "-o",
  "LogLevel=ERROR",
  "-i",
  key,
  "-p",
  String(port),
  ...(suite ? ["-o", `Ciphers=${suite.cipher}`] : []),
  ...(suite?.kex ? ["-o", `KexAlgorithms=${suite.kex}`] : []),
  ...(suite?.mac ? ["-o", `MACs=${suite.mac}`] : []),
];

/** A command-line client: whole-process time less the median `true` time. */
function commandRow(
  id: string,
  label: string,
  argv: (port: number, suite?: Suite) => [string, string[]],
  port: number,
  env: Record<string, string> = {},
): Row {
  const baseline = new Map<string, number>();
  const shell = (command: string, suite?: Suite) => {
    const [cmd, args] = argv(port, suite);
    return [cmd, ...args, `${user}@127.0.0.1`, command].map((a) => `'${a}'`).join(" ");
  };
  const trueTime = async (suite: Suite): Promise<number> => {
    const k = suite.id;
    if (!baseline.has(k)) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await run("sh", ["-c", shell("true", suite)], { env });
        if (r.code !== 0) throw new Error(`${label}: true failed: ${r.stderr}`);
        times.push(r.ms);
      }
      baseline.set(k, median(times));
    }
    return baseline.get(k)!;
  };
  return {
    id,
    label,
    async transfer(suite, direction) {
      const base = await trueTime(suite);
      const script = direction === "up"
        ? `head -c ${BYTES} /dev/zero | ${shell("wc -c", suite)}`
        : `${shell(`head -c ${BYTES} /dev/zero`, suite)} | wc -c`;
      const r = await run("sh", ["-c", script], { env });
      if (r.code !== 0 || Number(r.stdout.trim()) !== BYTES) {
        throw new Error(`${label} ${direction}: ${r.stdout.trim()} ${r.stderr}`);
      }
      return r.ms - base;
    },
    async handshake(kex) {
      const suite = kex ? { id: kex, cipher: "chacha20-poly1305@openssh.com", kex } : undefined;
      const r = await run("sh", ["-c", shell("true", suite)], { env });
      return r.ms;
    },
  };
}

/** A library client in its own process, timing itself. */
function libraryRow(
  id: string,
  label: string,
  cmd: string,
  args: string[],
  port: number,
  after: string[] = [],
): Row {
  const job = async (extra: Record<string, unknown>) => {
    const r = await run(cmd, [
      ...args,
      JSON.stringify({ port, user, key, bytes: BYTES, ...extra }),
      ...after,
    ]);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    if (r.code !== 0 || !line.startsWith("{")) {
      throw new Error(`${label}: ${r.stderr.slice(-2000)}`);
    }
    return JSON.parse(line) as { handshakeMs: number; transferMs?: number; rttMedianMs?: number };
  };
  return {
    id,
    label,
    async transfer(suite, direction) {
      const r = await job({ cipher: suite.cipher, mac: suite.mac, direction });
      return r.transferMs!;
    },
    async handshake(kex) {
      const r = await job({
        cipher: "chacha20-poly1305@openssh.com",
        direction: "handshake",
        ...(kex ? { kex } : {}),
      });
      return r.handshakeMs;
    },
  };
}

const hushClient = join(ROOT, "bench/e2e/hush_client.ts");
const ssh2Client = join(ROOT, "bench/e2e/ssh2_client.mjs");
const allRows: Row[] = [
  commandRow(
    "openssh",
    "OpenSSH ssh → OpenSSH sshd",
    (p, s) => ["ssh", sshOptions(p, s)],
    sshd.port,
  ),
  ...(ssh2
    ? [libraryRow("ssh2", "ssh2 on Node → OpenSSH sshd", "node", [ssh2Client], sshd.port, [ssh2])]
    : []),
  libraryRow("hush-deno", "Hush connect() on Deno → OpenSSH sshd", "deno", [
    "run",
    "-A",
    hushClient,
  ], sshd.port),
  libraryRow("hush-node", "Hush connect() on Node → OpenSSH sshd", "node", [bundle], sshd.port),
  ...(has("bun")
    ? [libraryRow("hush-bun", "Hush connect() on Bun → OpenSSH sshd", "bun", [bundle], sshd.port)]
    : []),
  commandRow(
    "hush-cli",
    "Hush ssh command → OpenSSH sshd",
    (p, s) => [
      "deno",
      [
        "run",
        "-A",
        ...CLIENT_DENO_FLAGS,
        join(ROOT, "packages/ssh/cli/ssh.ts"),
        ...sshOptions(p, s),
      ],
    ],
    sshd.port,
  ),
  commandRow(
    "openssh-hush",
    "OpenSSH ssh → Hush sshd",
    (p, s) => ["ssh", sshOptions(p, s)],
    hushSshd.port,
  ),
];
const rows = allRows.filter((r) =>
  !process.env.E2E_ROWS || process.env.E2E_ROWS.split(",").includes(r.id)
);

// --- measuring ---------------------------------------------------------------------------------

const results: Record<string, Record<string, number>> = {};
const mbps = (ms: number) => BYTES / 1e6 / (ms / 1000);

if (!SKIP.has("throughput")) {
  log(`throughput: ${MIB} MiB per transfer, ${ROUNDS} rounds, rows: ${rows.map((r) => r.id)}`);
  for (let round = 0; round < ROUNDS; round++) {
    // Rounds interleave the rows, so a slow spell of the shared machine hits every row alike.
    for (const suite of SUITES) {
      for (const direction of ["up", "down"] as const) {
        for (const row of rows) {
          const key = `${suite.id} ${direction}`;
          try {
            const ms = await row.transfer(suite, direction);
            (results[row.id] ??= {})[`${key} #${round}`] = mbps(ms);
            log(`  ${row.id.padEnd(13)} ${key.padEnd(24)} ${mbps(ms).toFixed(0).padStart(5)} MB/s`);
          } catch (e) {
            log(`  ${row.id.padEnd(13)} ${key.padEnd(24)} failed: ${(e as Error).message}`);
          }
        }
      }
    }
  }
}

function cell(rowId: string, key: string): number | undefined {
  const r = results[rowId] ?? {};
  const values = Object.entries(r).filter(([k]) => k.startsWith(`${key} #`)).map(([, v]) => v);
  return values.length ? median(values) : undefined;
}

const out: string[] = [];
if (!SKIP.has("throughput")) {
  out.push(
    `\n${MIB} MiB through one channel, MB/s up / down (median of ${ROUNDS}), ` +
      `ratio vs ssh2 and vs OpenSSH ssh in brackets:\n`,
  );
  out.push(`| client → server | ${SUITES.map((s) => s.id).join(" | ")} |`);
  out.push(`|---|${SUITES.map(() => "---").join("|")}|`);
  for (const row of rows) {
    const cells = SUITES.map((s) => {
      const pair = (["up", "down"] as const).map((d) => {
        const v = cell(row.id, `${s.id} ${d}`);
        if (v === undefined) return "—";
        const vs = (other: string) => {
          const o = cell(other, `${s.id} ${d}`);
          return o ? (v / o).toFixed(2) : "—";
        };
        return row.id === "openssh" || row.id === "ssh2"
          ? v.toFixed(0)
          : `${v.toFixed(0)} (${vs("ssh2")}/${vs("openssh")})`;
      });
      return pair.join(" / ");
    });
    out.push(`| ${row.label} | ${cells.join(" | ")} |`);
  }
}

if (!SKIP.has("handshake")) {
  // Each client's default kex (sntrup761x25519-sha512 for OpenSSH 9.2 and Hush, curve25519-sha256
  // for ssh2, which has no post-quantum kex), then all of them on curve25519-sha256.
  out.push(
    `\nHandshake (connect + publickey auth), ms, median of 7: default kex | curve25519-sha256:`,
  );
  for (const row of rows) {
    if (!row.handshake) continue;
    const times: number[] = [];
    const curve: number[] = [];
    for (let i = 0; i < 7; i++) {
      times.push(await row.handshake());
      curve.push(await row.handshake("curve25519-sha256"));
    }
    const note = row.id.startsWith("hush-") && !row.id.startsWith("hush-cli")
      ? " (in process, after runtime start)"
      : row.id === "ssh2"
      ? " (in process, after runtime start)"
      : " (whole process)";
    out.push(
      `  ${row.label.padEnd(42)} ${median(times).toFixed(1).padStart(7)} | ${
        median(curve).toFixed(1).padStart(7)
      } ms${note}`,
    );
    const r = results[row.id] ??= {};
    r.handshakeMs = median(times);
    r.handshakeCurve25519Ms = median(curve);
  }
}

/** Median round trip of 1-byte keystrokes echoed by the remote pty (`ssh -tt host cat`). */
async function keystrokeRtt(cmd: string, args: string[], count = 100): Promise<number> {
  const child = spawn(cmd, args, {
    env: { ...process.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let waiting: (() => void) | undefined;
  let seen = 0;
  child.stdout.on("data", (d: Buffer) => {
    seen += d.length;
    waiting?.();
  });
  // Wait until the remote pty is up: a first keystroke comes back.
  const ready = async () => {
    for (let i = 0; i < 200 && seen === 0; i++) {
      child.stdin.write("x");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await ready();
  await new Promise((r) => setTimeout(r, 200));
  const rtts: number[] = [];
  for (let i = 0; i < count; i++) {
    const before = seen;
    const t = performance.now();
    const back = new Promise<void>((resolve) => {
      waiting = () => {
        if (seen > before) resolve();
      };
    });
    child.stdin.write(String.fromCharCode(0x61 + (i % 26)));
    await back;
    rtts.push(performance.now() - t);
  }
  child.stdin.write("\x04");
  child.kill("SIGTERM");
  return median(rtts);
}

if (!SKIP.has("keystrokes")) {
  out.push(
    `\nKeystroke round trip (1 byte echoed by the remote pty, ssh -tt host cat; -T: by cat alone), ms median:`,
  );
  const pairs: [string, string, string[]][] = [
    ["OpenSSH ssh → OpenSSH sshd", "ssh", [...sshOptions(sshd.port), "-tt", "127.0.0.1", "cat"]],
    ["OpenSSH ssh → Hush sshd", "ssh", [...sshOptions(hushSshd.port), "-tt", "127.0.0.1", "cat"]],
    ["Hush ssh → OpenSSH sshd", "deno", [
      "run",
      "-A",
      ...CLIENT_DENO_FLAGS,
      join(ROOT, "packages/ssh/cli/ssh.ts"),
      ...sshOptions(sshd.port),
      "-tt",
      "127.0.0.1",
      "cat",
    ]],
    // Without a pty one echo (cat's) comes back per keystroke, not two (the pty's and cat's).
    ["OpenSSH ssh → OpenSSH sshd, -T", "ssh", [...sshOptions(sshd.port), "-T", "127.0.0.1", "cat"]],
    ["Hush ssh → OpenSSH sshd, -T", "deno", [
      "run",
      "-A",
      ...CLIENT_DENO_FLAGS,
      join(ROOT, "packages/ssh/cli/ssh.ts"),
      ...sshOptions(sshd.port),
      "-T",
      "127.0.0.1",
      "cat",
    ]],
  ];
  for (const [label, cmd, args] of pairs) {
    const rtt = await keystrokeRtt(cmd, args);
    out.push(`  ${label.padEnd(42)} ${rtt.toFixed(3).padStart(8)} ms`);
    (results[`rtt ${label}`] ??= {}).rttMs = rtt;
  }
}

if (!SKIP.has("connections")) {
  out.push(
    `\nConnections per second, OpenSSH ssh clients running 'true', 50 in parallel, 200 in all:`,
  );
  for (
    const [label, port] of [["OpenSSH sshd", sshd.port], ["Hush sshd", hushSshd.port]] as const
  ) {
    const t0 = performance.now();
    let started = 0, done = 0, failed = 0;
    const worker = async () => {
      while (started < 200) {
        started++;
        const r = await run("ssh", [...sshOptions(port), "127.0.0.1", "true"]);
        if (r.code === 0) done++;
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    const s = (performance.now() - t0) / 1000;
    out.push(
      `  ${label.padEnd(14)} ${
        (done / s).toFixed(1).padStart(6)
      } conn/s (${done} ok, ${failed} failed, ${s.toFixed(1)} s)`,
    );
    (results[`conn ${label}`] ??= {}).perSecond = done / s;
  }
}

const versions = [
  `deno ${Deno.version.deno}`,
  `node ${spawnSync("node", ["--version"], { encoding: "utf8" }).stdout.trim()}`,
  has("bun") ? `bun ${spawnSync("bun", ["--version"], { encoding: "utf8" }).stdout.trim()}` : "",
  spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr.trim(),
  ssh2 ? `ssh2 ${SSH2_VERSION}` : "",
].filter(Boolean).join(", ");
out.push(`\n${versions}; ${new Date().toISOString()}`);
console.log(out.join("\n"));

const jsonAt = process.argv.indexOf("--json");
if (jsonAt >= 0) writeFileSync(process.argv[jsonAt + 1], JSON.stringify(results, null, 2));

hushSshd.stop();
await sshd.stop();
rmSync(work, { recursive: true, force: true });
process.exit(0);
