/**
 * Load on the Hush `sshd` command next to OpenSSH's `sshd`, in the same run (a bench, not a
 * test: nothing here passes or fails). Each scenario runs against one server, then the other:
 *
 * - 500 concurrent connections, each running a command (`echo ok`) and closing;
 * - 100 sessions at once on one connection, each running the command (MaxSessions raised);
 * - 1000 sequential connect / exec / close cycles, with the server's RSS after the first 100
 *   and after all 1000;
 * - 300 idle connections that never send a byte (slowloris) while a real login gets in;
 * - floods from a logged-in client that never reads what it is sent (global requests with
 *   want-reply, refused channel opens, channel requests with want-reply): how much the client
 *   got written before the server stopped reading it, the server's peak RSS, and a real login
 *   meanwhile.
 *
 * Reported per scenario: successes, wall time, the CPU time of the server's process tree (the
 * listener, OpenSSH's per-connection processes, the commands' shells; on a shared machine wall
 * time follows the other jobs' load, CPU time much less), and the tree's RSS at its peak
 * (sampled every 200 ms) and settled (10 s after the scenario). The client is the Hush library in
 * this process, the same for both servers. Both servers get MaxStartups 1000 (every connection
 * here is admitted), MaxSessions 200, LogLevel ERROR, and `HOME` set to a fresh directory
 * (`SetEnv HOME=…` for OpenSSH's, the environment for Hush's), so that root's shell start-up does
 * not dominate every figure. The tables go to stdout, as in bench/README.md.
 *
 * Usage: `deno task bench:load [--scale=0.2] [--only=concurrent,channels,cycles,slowloris,flood]`
 * @module
 */
import { connect as netConnect, type Socket } from "node:net";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKey, type PrivateKey } from "@hush/keys";
import { publickeySignedData } from "@hush/auth";
import { connect, type SshClient } from "@hush/ssh";
import { connectTcp } from "@hush/ssh/adapters";
import type { Message } from "@hush/wire";
import { findBinary, startSshd } from "../tests/helpers/openssh.ts";
import { trustingStore } from "../tests/interop/client_fixture.ts";
import { startHushSshd } from "../tests/interop/server_fixture.ts";
import { floodUnread } from "../tests/hostile/flood.ts";
import { HostilePeer } from "../tests/hostile/peer.ts";

const scaleArg = Deno.args.find((a) => a.startsWith("--scale="));
const SCALE = scaleArg ? Number(scaleArg.slice("--scale=".length)) : 1;
const onlyArg = Deno.args.find((a) => a.startsWith("--only="));
const ONLY = onlyArg ? onlyArg.slice("--only=".length).split(",") : undefined;
const n = (count: number) => Math.max(1, Math.round(count * SCALE));

/** Connections opened at once in the concurrency scenario. */
const CONCURRENT = n(500);
/** Sessions opened at once on one connection. */
const CHANNELS = n(100);
/** Sequential connect / exec / close cycles. */
const CYCLES = n(1000);
/** The cycle after which the first RSS is taken. */
const CYCLES_FIRST = Math.max(1, Math.round(CYCLES / 10));
/** Idle pre-auth connections held while a real login is tried. */
const IDLE = n(300);
/** Most messages one flood sends; it ends sooner once the server stops reading. */
const FLOOD_MAX = n(2_000_000);
/** A flood write waiting this long means the server stopped reading. */
const FLOOD_IDLE_MS = 3000;
/** Longest one connect + exec may take before it counts as failed. */
const OP_TIMEOUT_MS = 180_000;
/** Interval between RSS samples. */
const SAMPLE_MS = 200;
/**
 * Wait after a scenario before its settled RSS is read: past V8's memory reducer, which
 * shrinks an idle heap about 8 s after its last full collection.
 */
const SETTLE_MS = 10_000;

/** A server under load. */
interface Target {
  name: string;
  port: number;
  /** The listening process (its tree is the server). */
  pid: number;
  hostKeys: string[];
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times (Linux: 100). */
const CLOCK_TICKS = 100;

/**
 * `root` and all its descendants: the sum of their VmRSS (KiB) and of their CPU time in
 * seconds, their own and that of the children they have reaped (so that the CPU of every
 * process that ran and ended under the server is counted once).
 */
function treeStats(root: number): { rssKiB: number; cpu: number } {
  const children = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // After "pid (comm) ": state ppid … utime(11) stime(12) cutime(13) cstime(14).
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ppid = Number(f[1]);
    cpu.set(
      Number(entry),
      (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLOCK_TICKS,
    );
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  let rssKiB = 0, seconds = 0;
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop()!;
    seconds += cpu.get(pid) ?? 0;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) rssKiB += Number(m[1]);
    } catch { /* exited */ }
    queue.push(...(children.get(pid) ?? []));
  }
  return { rssKiB, cpu: seconds };
}

/** Sum of VmRSS (KiB) over `root` and all its descendants. */
function treeRss(root: number): number {
  return treeStats(root).rssKiB;
}

/** Samples a process tree's RSS until stopped; resolves the peak (KiB). */
function sampleRss(pid: number): { stop(): number } {
  let peak = treeRss(pid);
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(pid))), SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRss(pid));
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What one scenario gave against one server. */
interface Result {
  ok: number;
  total: number;
  ms: number;
  /** CPU seconds the server's process tree spent (its commands' shells included). */
  cpu: number;
  peakKiB: number;
  settledKiB: number;
  /** Extra figures for the scenario's table. */
  notes: string;
  firstError?: string;
}

let userKey: PrivateKey;

function login(target: Target): Promise<SshClient> {
  return connect({
    hostname: "127.0.0.1",
    port: target.port,
    username: "root",
    identities: [userKey],
    knownHosts: trustingStore(target.port, target.hostKeys),
    policy: "yes",
    connectTimeout: OP_TIMEOUT_MS,
  });
}

async function execOk(client: SshClient): Promise<void> {
  const r = await client.exec("echo ok");
  const out = new TextDecoder().decode(r.stdout);
  if (r.code !== 0 || out !== "ok\n") {
    throw new Error(`exec gave ${r.code}: ${JSON.stringify(out)}`);
  }
}

/** One connection, one command, closed. */
async function cycle(target: Target): Promise<void> {
  const client = await login(target);
  try {
    await execOk(client);
  } finally {
    await client.close();
  }
}

/** Runs `ops`, counting successes and keeping the first error. */
async function tally(
  ops: Promise<void>[],
): Promise<{ ok: number; firstError?: string }> {
  const settled = await Promise.allSettled(ops);
  const failed = settled.filter((s) => s.status === "rejected") as PromiseRejectedResult[];
  return {
    ok: settled.length - failed.length,
    firstError: failed[0] ? String(failed[0].reason?.message ?? failed[0].reason) : undefined,
  };
}

async function measure(
  target: Target,
  body: () => Promise<{ ok: number; total: number; notes?: string; firstError?: string }>,
): Promise<Result> {
  await sleep(1000);
  const cpu0 = treeStats(target.pid).cpu;
  const rss = sampleRss(target.pid);
  const t0 = performance.now();
  const r = await body();
  const ms = performance.now() - t0;
  const peakKiB = rss.stop();
  await sleep(SETTLE_MS);
  const settled = treeStats(target.pid);
  return {
    ...r,
    ms,
    cpu: settled.cpu - cpu0,
    peakKiB,
    settledKiB: settled.rssKiB,
    notes: r.notes ?? "",
  };
}

const SCENARIOS: Record<string, { title: string; run: (t: Target) => Promise<Result> }> = {
  concurrent: {
    title: `${CONCURRENT} concurrent connections, each \`echo ok\``,
    run: (target) =>
      measure(target, async () => {
        const ops = Array.from(
          { length: CONCURRENT },
          () => withTimeout(cycle(target), OP_TIMEOUT_MS, "a connection"),
        );
        return { ...await tally(ops), total: CONCURRENT };
      }),
  },
  channels: {
    title: `${CHANNELS} sessions at once on one connection, each \`echo ok\``,
    run: (target) =>
      measure(target, async () => {
        const client = await login(target);
        try {
          const ops = Array.from(
            { length: CHANNELS },
            () => withTimeout(execOk(client), OP_TIMEOUT_MS, "a session"),
          );
          return { ...await tally(ops), total: CHANNELS };
        } finally {
          await client.close();
        }
      }),
  },
  cycles: {
    title: `${CYCLES} sequential connect / \`echo ok\` / close cycles`,
    run: async (target) => {
      let afterFirst = 0;
      let paused = 0;
      const r = await measure(target, async () => {
        let ok = 0;
        let firstError: string | undefined;
        for (let i = 1; i <= CYCLES; i++) {
          try {
            await withTimeout(cycle(target), OP_TIMEOUT_MS, "a cycle");
            ok++;
          } catch (e) {
            firstError ??= (e as Error).message;
          }
          if (i === CYCLES_FIRST) {
            const t = performance.now();
            await sleep(SETTLE_MS);
            afterFirst = treeRss(target.pid);
            paused = performance.now() - t;
          }
        }
        return { ok, total: CYCLES, firstError };
      });
      r.ms -= paused;
      const growth = ((r.settledKiB - afterFirst) / afterFirst * 100).toFixed(1);
      r.notes = `RSS after ${CYCLES_FIRST}: ${mib(afterFirst)}, after ${CYCLES}: ${
        mib(r.settledKiB)
      } (${Number(growth) >= 0 ? "+" : ""}${growth}%)`;
      return r;
    },
  },
  slowloris: {
    title: `${IDLE} idle pre-auth connections, then a real login`,
    run: (target) =>
      measure(target, async () => {
        const idle: Socket[] = [];
        try {
          for (let i = 0; i < IDLE; i++) {
            const socket = netConnect(target.port, "127.0.0.1");
            socket.on("error", () => {});
            socket.on("data", () => {});
            idle.push(socket);
          }
          await Promise.all(idle.map((s) => new Promise((r) => s.once("connect", r))));
          await sleep(2000); // let the server take them all in
          const t0 = performance.now();
          const { ok, firstError } = await tally([
            withTimeout(cycle(target), OP_TIMEOUT_MS, "the login"),
          ]);
          const loginMs = performance.now() - t0;
          return {
            ok,
            total: 1,
            firstError,
            notes: `login ${ok ? "got in" : "failed"} in ${(loginMs / 1000).toFixed(2)} s`,
          };
        } finally {
          for (const s of idle) s.destroy();
        }
      }),
  },
};

/** The floods: one message each, which the server answers (or refuses) with a message. */
const FLOODS: [string, (i: number, channel: number) => Message][] = [
  ["global requests with want-reply", () => ({
    type: "globalRequest",
    request: "other",
    name: "hostile@flood",
    wantReply: true,
    data: new Uint8Array(0),
  } as Message)],
  ["refused channel opens", (i) => ({
    type: "channelOpen",
    channelType: "other",
    name: "hostile@flood",
    data: new Uint8Array(0),
    sender: i,
    initialWindow: 1024,
    maxPacket: 1024,
  } as unknown as Message)],
  ["channel requests with want-reply", (_i, channel) => ({
    type: "channelRequest",
    recipient: channel,
    request: "other",
    name: "hostile@flood",
    wantReply: true,
    data: new Uint8Array(0),
  } as unknown as Message)],
];

/**
 * A TCP connection whose reading can be stopped: the hostile peer reads in the background, so
 * the gate is what makes it "never read" (the kernel's buffers fill, then the server's).
 */
async function gatedTcp(port: number) {
  const tcp = await connectTcp("127.0.0.1", port);
  const reader = tcp.readable.getReader();
  let paused = false;
  const readable = new ReadableStream<Uint8Array>({
    async pull(c) {
      // once paused, never read again: the connection is hung up, not resumed
      if (paused) return await new Promise<void>(() => {});
      const { done, value } = await reader.read();
      if (done) c.close();
      else c.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  return {
    duplex: { readable, writable: tcp.writable },
    pause: () => void (paused = true),
    close: () => tcp.close(),
  };
}

/** A raw client logged in as root with {@linkcode userKey}, ready to flood. */
async function floodingPeer(target: Target) {
  const tcp = await gatedTcp(target.port);
  const peer = new HostilePeer(tcp.duplex, "client", { ciphers: ["aes128-gcm@openssh.com"] });
  await peer.handshake();
  await peer.send({ type: "serviceRequest", service: "ssh-userauth" });
  await peer.expect("serviceAccept");
  const fields = {
    user: "root",
    service: "ssh-connection",
    algorithm: userKey.publicKey.type,
    publicKey: userKey.publicKey.blob,
  };
  const signature = await userKey.sign(
    publickeySignedData({ sessionId: peer.sessionId!, ...fields }),
  );
  await peer.send({ type: "userauthRequest", method: "publickey", ...fields, signature });
  await peer.expect("userauthSuccess");
  return { peer, tcp };
}

/** Floods `target` with `make`, never reading; then checks that a real login gets in. */
function floodScenario(make: (i: number, channel: number) => Message) {
  return (target: Target) =>
    measure(target, async () => {
      const { peer, tcp } = await floodingPeer(target);
      let channel = 0;
      if (make(0, 0).type === "channelRequest") {
        // the channel requests go to a session that is open (and stays unread)
        await peer.send({
          type: "channelOpen",
          channelType: "session",
          sender: 0,
          initialWindow: 1 << 20,
          maxPacket: 32768,
        } as unknown as Message);
        // OpenSSH's sshd announces its host keys (a global request) first
        for (let m = await peer.next(); m; m = await peer.next()) {
          if (m.type === "channelOpenConfirmation") {
            channel = m.sender;
            break;
          }
        }
      }
      tcp.pause();
      const flood = await floodUnread(peer, (i) => make(i, channel), FLOOD_MAX, FLOOD_IDLE_MS);
      const { ok, firstError } = await tally([
        withTimeout(cycle(target), OP_TIMEOUT_MS, "the login during the flood"),
      ]);
      peer.hangUp();
      tcp.close();
      const how = flood.stalled
        ? `stopped reading after ${flood.sent} messages (${mib(flood.bytes / 1024)} written)`
        : `read all ${flood.sent} messages (${mib(flood.bytes / 1024)})`;
      return {
        ok,
        total: 1,
        firstError,
        notes: `${how}; a login meanwhile ${ok ? "got in" : "failed"}`,
      };
    });
}

for (const [name, make] of FLOODS) {
  const key = `flood:${name.split(" ")[0]}`;
  SCENARIOS[key] = { title: `A client that never reads floods ${name}`, run: floodScenario(make) };
}

function mib(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MiB`;
}

async function startTargets(dir: string, userLine: string): Promise<Target[]> {
  const home = join(dir, "home");
  mkdirSync(home);
  const keysFile = join(dir, "authorized_keys");
  writeFileSync(keysFile, userLine + "\n");
  const hostKey = join(dir, "hush_host_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  const denoDir = JSON.parse(
    execFileSync(Deno.execPath(), ["info", "--json"], { encoding: "utf8" }),
  )
    .denoDir as string;
  const hush = await startHushSshd([
    "-h",
    hostKey,
    "-o",
    `AuthorizedKeysFile=${keysFile}`,
    "-o",
    "MaxStartups=1000",
    "-o",
    "MaxSessions=200",
    "-o",
    "LogLevel=ERROR",
  ], { HOME: home, DENO_DIR: denoDir });
  const openssh = await startSshd({
    authorizedKeys: [userLine],
    config: ["MaxStartups 1000", "MaxSessions 200"],
    logLevel: "ERROR",
  });
  return [
    {
      name: "Hush sshd",
      port: hush.port,
      pid: hush.pid,
      hostKeys: [readFileSync(`${hostKey}.pub`, "utf8").trim()],
      stop: async () => void await hush.stop(),
    },
    {
      name: "OpenSSH sshd",
      port: openssh.port,
      pid: Number(readFileSync(join(openssh.dir, "sshd.pid"), "utf8").trim()),
      hostKeys: Object.values(openssh.hostKeys),
      stop: () => openssh.stop(),
    },
  ];
}

async function main(): Promise<void> {
  if (!findBinary("sshd") || !findBinary("ssh-keygen")) {
    console.error("bench:load needs OpenSSH's sshd and ssh-keygen");
    Deno.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), "hush-load-"));
  userKey = await generateKey("ssh-ed25519");
  const targets = await startTargets(dir, userKey.publicKey.toString("load"));
  const version = spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr.trim();
  console.log(
    `# bench:load ${
      new Date().toISOString().slice(0, 10)
    }, scale ${SCALE}, ${Deno.version.deno}, OpenSSH: ${version}\n`,
  );
  try {
    for (const target of targets) {
      // One login first, so that neither server's first scenario pays for its warm-up.
      await cycle(target);
      console.log(`${target.name} idle after one login: ${mib(treeRss(target.pid))}`);
    }
    for (const [key, scenario] of Object.entries(SCENARIOS)) {
      if (ONLY && !ONLY.some((o) => key === o || key.startsWith(`${o}:`))) continue;
      console.log(`\n## ${scenario.title}\n`);
      console.log(
        "| server | successes | wall time | server CPU | peak RSS | settled RSS | notes |",
      );
      console.log(
        "| ------ | --------: | --------: | ---------: | -------: | ----------: | ----- |",
      );
      for (const target of targets) {
        const r = await scenario.run(target);
        const error = r.firstError ? ` first error: ${r.firstError}` : "";
        console.log(
          `| ${target.name} | ${r.ok}/${r.total} | ${(r.ms / 1000).toFixed(2)} s | ${
            r.cpu.toFixed(1)
          } s | ${mib(r.peakKiB)} | ${mib(r.settledKiB)} | ${r.notes}${error} |`,
        );
      }
    }
  } finally {
    for (const target of targets) await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
