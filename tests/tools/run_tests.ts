/**
 * Runs the whole test suite on Deno, then on Node and Bun, and prints one closing line
 * `N passed, N failed` for all three.
 *
 * Deno runs the TypeScript sources directly (with `--doc`, so every JSDoc example is type
 * checked). For Node and Bun each `*_test.ts` is bundled with `deno bundle` into a
 * `*_test.bundle.mjs` beside it (gitignored), so the import map lives in one place and
 * `new URL("./testdata/…", import.meta.url)` still finds the test's data. Interop tests under
 * `tests/interop/` start real OpenSSH servers and move hundreds of MiB, and browser tests under
 * `tests/browser/` drive a real Chromium: they run on Deno only.
 *
 * Usage: `deno run -A tests/tools/run_tests.ts [--deno-only] [path…]`
 * @module
 */

const args = Deno.args.filter((a) => !a.startsWith("--"));
const denoOnly = Deno.args.includes("--deno-only");
const roots = args.length > 0 ? args : ["packages", "tests"];
/** A single test taking longer than this fails instead of hanging the run (Node and Bun). */
const TEST_TIMEOUT_MS = 300_000;

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

const decoder = new TextDecoder();

/** Runs a command, streaming its output, and returns the output and exit code. */
async function run(cmd: string, cmdArgs: string[]): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(cmd, { args: cmdArgs, stdout: "piped", stderr: "piped" }).spawn();
  let output = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true });
      await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, Deno.stdout),
    pump(child.stderr, Deno.stderr),
  ]);
  return { code: status.code, output };
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory && e.name !== "node_modules" && !e.name.startsWith(".")) yield* walk(path);
    else if (e.isFile) yield path;
  }
}

// deno test prints "ok | 21 passed | 0 failed | 2 ignored (337ms)" (with ANSI colours off).
function denoCounts(output: string): Counts {
  const m =
    /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?(?: \| (\d+) ignored)?/
      .exec(output);
  if (!m) return { passed: 0, failed: 1, skipped: 0 };
  return { passed: +m[1], failed: +m[3], skipped: +(m[5] ?? 0) };
}

// node --test prints TAP summary lines "# pass N", "# fail N", "# skipped N".
function nodeCounts(output: string): Counts {
  const n = (k: string) => +(new RegExp(`^# ${k} (\\d+)$`, "m").exec(output)?.[1] ?? 0);
  if (!/^# pass \d+$/m.test(output)) return { passed: 0, failed: 1, skipped: 0 };
  return {
    passed: n("pass"),
    failed: n("fail") + n("cancelled"),
    skipped: n("skipped") + n("todo"),
  };
}

// bun test prints " 12 pass", " 0 fail", " 3 skip".
function bunCounts(output: string): Counts {
  const n = (k: string) => +(new RegExp(`^\\s*(\\d+) ${k}$`, "m").exec(output)?.[1] ?? 0);
  if (!/^\s*\d+ pass$/m.test(output)) return { passed: 0, failed: 1, skipped: 0 };
  return { passed: n("pass"), failed: n("fail"), skipped: n("skip") };
}

/** Whether a command is on the PATH. */
async function has(cmd: string): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

const results: [string, Counts][] = [];
/** What failed, per runtime, repeated at the end: CI keeps only the tail of a long log. */
const failureReports: [string, string[]][] = [];

/** Lines a test printed as `TEST-WARNING …`: faults it survived (a server's internal error). */
const warnings: string[] = [];
function collectWarnings(output: string): void {
  for (const line of output.split("\n")) {
    const at = line.indexOf("TEST-WARNING ");
    if (at >= 0 && warnings.length < 20) warnings.push(line.slice(at));
  }
}

/** The lines that name what failed, at most `max` of them. */
function failureLines(runtime: string, output: string, max = 60): string[] {
  const lines = output.split("\n");
  let picked: string[];
  if (runtime === "deno") {
    // deno test ends with " ERRORS " (full messages) and " FAILURES " (names) before its summary.
    const start = lines.findIndex((l) => /^ ?(ERRORS|FAILURES) ?$/.test(l.trim()));
    const end = lines.findIndex((l) => /^(ok|FAILED) \| \d+ passed/.test(l));
    picked = start < 0 ? [] : lines.slice(start, end < 0 ? undefined : end);
  } else if (runtime === "node") {
    picked = lines.filter((l) => /^\s*not ok \d+/.test(l) || /^\s*(error|location):/.test(l));
  } else {
    picked = lines.filter((l) => /^\(fail\)|^error:|^\s+at .*\.bundle\.mjs/.test(l));
  }
  picked = picked.filter((l) => l.trim() !== "");
  // Lines a test printed to explain a failure (a server's last words) come first.
  const diagnostics = lines.filter((l) => l.includes("FAILURE-CONTEXT "))
    .map((l) => l.slice(l.indexOf("FAILURE-CONTEXT ")));
  if (diagnostics.length > 0) picked = [...diagnostics.slice(0, max), ...picked];
  return picked.length > max ? [...picked.slice(0, max), `… ${picked.length - max} more`] : picked;
}

Deno.env.set("NO_COLOR", "1");
const deno = await run(Deno.execPath(), ["test", "-A", "--doc", "--parallel", ...roots]);
collectWarnings(deno.output);
const denoResult = denoCounts(deno.output);
if (deno.code !== 0 && denoResult.failed === 0) denoResult.failed = 1;
results.push(["deno", denoResult]);
if (denoResult.failed > 0) failureReports.push(["deno", failureLines("deno", deno.output)]);

if (!denoOnly) {
  const tests: string[] = [];
  for (const root of roots) {
    for await (const path of walk(root)) {
      if (
        path.endsWith("_test.ts") && !path.startsWith("tests/interop/") &&
        !path.startsWith("tests/browser/")
      ) tests.push(path);
    }
  }
  const bundles: string[] = [];
  let bundleFailures = 0;
  for (const test of tests) {
    const out = test.replace(/\.ts$/, ".bundle.mjs");
    const b = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform=node", "-o", out, test],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (b.success) bundles.push(out);
    else {
      console.error(`Could not bundle ${test} for Node and Bun`);
      bundleFailures++;
    }
  }
  try {
    if (bundles.length > 0) {
      // No --test-force-exit: it let a test process exit before the rest of its file had run
      // (tests silently missing, "0 failed"). A leaked handle hangs the run instead — visibly.
      const node = await run("node", [
        "--test",
        "--test-reporter=tap",
        `--test-timeout=${TEST_TIMEOUT_MS}`,
        ...bundles,
      ]);
      const nodeResult = nodeCounts(node.output);
      if (node.code !== 0 && nodeResult.failed === 0) nodeResult.failed = 1;
      nodeResult.failed += bundleFailures;
      results.push(["node", nodeResult]);
      if (nodeResult.failed > 0) failureReports.push(["node", failureLines("node", node.output)]);

      if (await has("bun")) {
        const bun = await run("bun", [
          "test",
          `--timeout=${TEST_TIMEOUT_MS}`,
          ...bundles.map((b) => `./${b}`),
        ]);
        const bunResult = bunCounts(bun.output);
        if (bun.code !== 0 && bunResult.failed === 0) bunResult.failed = 1;
        bunResult.failed += bundleFailures;
        results.push(["bun", bunResult]);
        if (bunResult.failed > 0) failureReports.push(["bun", failureLines("bun", bun.output)]);
      } else if (Deno.env.get("CI") === "true") {
        console.error("bun is not installed: under CI that is a failure (npm i -g bun)");
        results.push(["bun", { passed: 0, failed: 1, skipped: 0 }]);
      } else {
        console.error("Skipping the Bun run: bun is not installed (npm i -g bun)");
      }
    }
  } finally {
    for (const b of bundles) await Deno.remove(b).catch(() => {});
  }
}

// Node and Bun run the same bundles, so they must see the same number of tests: a difference
// means one runtime silently lost some (a file cut short, a crash between tests).
const byRuntime = new Map(results);
const nodeRun = byRuntime.get("node");
const bunRun = byRuntime.get("bun");
if (nodeRun && bunRun) {
  const seen = (c: Counts) => c.passed + c.failed + c.skipped;
  if (seen(nodeRun) !== seen(bunRun)) {
    const message = `Node saw ${seen(nodeRun)} tests but Bun saw ${seen(bunRun)}: some did not run`;
    console.error(message);
    failureReports.push(["node and bun", [message]]);
    nodeRun.failed++;
  }
}

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
console.log("");
if (warnings.length > 0) {
  console.log("Warnings (tests that passed may print these too):");
  for (const line of warnings) console.log(`  ${line}`);
}
for (const [runtime, lines] of failureReports) {
  console.log(`What failed on ${runtime}:`);
  for (const line of lines) console.log(`  ${line}`);
}
for (const [runtime, c] of results) {
  console.log(`${runtime}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
Deno.exit(total.failed > 0 ? 1 : 0);
