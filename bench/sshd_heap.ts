/**
 * Whether the Hush `sshd` keeps memory per connection: its `main()` runs in this process, the
 * Hush client logs in, runs `true` and closes, again and again; every 100 cycles the heap is
 * collected and its live size printed next to the V8 heap's reserved size, the ArrayBuffers
 * outside it, the RSS, and the heap's spaces over 1 MiB. A leak shows as `heapUsed` (and the old
 * space) growing with the cycles; without a cap the young generation ("new") grows on its own
 * while V8 sizes it, then levels off. (A bench, not a test: nothing here passes or fails.)
 *
 * Usage: `deno run -A --v8-flags=--expose-gc,--max-semi-space-size=8 bench/sshd_heap.ts [cycles=1000]`
 * (the cap `deno task sshd` runs with; drop it to see V8's default sizing).
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { getHeapSpaceStatistics } from "node:v8";
import { join } from "node:path";
import { generateKey } from "@hush/keys";
import { connect } from "@hush/ssh";
import { main as sshd } from "../packages/ssh/cli/sshd.ts";
import { freePort } from "../tests/helpers/openssh.ts";
import { trustingStore } from "../tests/interop/client_fixture.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error("run with --v8-flags=--expose-gc");
  Deno.exit(1);
}
const cycles = Number(Deno.args[0] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), "hush-heap-"));
mkdirSync(join(dir, "home"));
const key = await generateKey("ssh-ed25519");
writeFileSync(join(dir, "authorized_keys"), key.publicKey.toString() + "\n");
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host")]);
const port = await freePort();
// Commands run with this HOME, so that root's shell start-up stays out of the figures.
Deno.env.set("HOME", join(dir, "home"));
sshd([
  "-p",
  String(port),
  "-o",
  "ListenAddress=127.0.0.1",
  "-h",
  join(dir, "host"),
  "-o",
  `AuthorizedKeysFile=${join(dir, "authorized_keys")}`,
  "-o",
  "LogLevel=ERROR",
]);
await new Promise((r) => setTimeout(r, 1000));
const hostKeys = [readFileSync(join(dir, "host.pub"), "utf8").trim()];
/** The V8 heap's spaces over 1 MiB, by committed size: which one grows. */
const spaces = () =>
  getHeapSpaceStatistics().filter((s) => s.space_size >= 1048576)
    .map((s) => `${s.space_name.replace("_space", "")} ${(s.space_size / 1048576).toFixed(1)}`)
    .join(", ");
const mib = (bytes: number) => (bytes / 1048576).toFixed(1).padStart(6);

console.log("cycles | heapUsed MiB | heapTotal MiB | external MiB | RSS MiB | spaces (MiB)");
for (let i = 1; i <= cycles; i++) {
  const client = await connect({
    hostname: "127.0.0.1",
    port,
    username: "root",
    identities: [key],
    knownHosts: trustingStore(port, hostKeys),
    policy: "yes",
  });
  await client.exec("true");
  await client.close();
  if (i % 100 === 0) {
    for (let j = 0; j < 3; j++) {
      gc();
      await new Promise((r) => setTimeout(r, 200));
    }
    const m = Deno.memoryUsage();
    console.log(
      `${String(i).padStart(6)} | ${mib(m.heapUsed)} | ${mib(m.heapTotal)} | ${mib(m.external)} | ${
        mib(m.rss)
      } | ${spaces()}`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
Deno.exit(0);
