/**
 * The architecture checks of `deno task check` beyond fmt and lint:
 * - `deno doc --lint` of every package's entry points (`mod.ts`, and `browser.ts` for ssh: every
 *   export documented, no slow types);
 * - `deno check` of every package, test, example and bench;
 * - the package graph of ../shared/STYLE.md: a package imports only the siblings it may, only
 *   through `@hush/<name>` (never a sibling's files by path), and only `packages/ssh` adapters
 *   and tests use runtime-specific APIs (`Deno.*`, `node:*`, `Bun.*`), and no core package
 *   looks for a runtime (`globalThis.Deno`, `process.versions`, `getBuiltinModule`, …): what
 *   differs per runtime is handed in by `@hush/ssh`;
 * - no plain `Error` in library code: every package throws its own class, all extending
 *   `SshError` (tests, benches, testdata and test support — `testing.ts`, `test_*.ts` — aside;
 *   a line may opt out with an `allow-plain-error: why` comment on it or the line above).
 *
 * Usage: `deno run -A tests/tools/check.ts`
 * @module
 */

/** Which siblings each package may import (STYLE.md "Dependencies point one way"). */
export const ALLOWED_IMPORTS: Record<string, readonly string[]> = {
  wire: [],
  cipher: ["wire"],
  keys: ["wire"],
  hostkeys: ["wire", "keys"],
  kex: ["wire", "keys"],
  auth: ["wire", "keys"],
  transport: ["wire", "cipher", "kex", "keys"],
  channels: ["wire"],
  sftp: ["wire", "channels"],
  ssh: ["wire", "cipher", "keys", "kex", "hostkeys", "auth", "transport", "channels", "sftp"],
};

const IMPORT =
  /(?:^|[\s;])(?:import|export)\b[^"'`]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|[\s;])import\s*["']([^"']+)["']/g;
const RUNTIME = /\b(?:Deno|Bun)\.[A-Za-z]/;
/** Ways of finding out which runtime this is: a core package is told, it never asks. */
const SNIFF =
  /getBuiltinModule|globalThis\.(?:Deno|Bun|process)\b|\bprocess\.(?:versions|platform|env)\b|navigator\.userAgent|typeof\s+(?:Deno|Bun|process)\b/;

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory && e.name !== "node_modules" && !e.name.startsWith(".")) yield* walk(path);
    else if (e.isFile && /\.(ts|tsx|mts)$/.test(e.name)) yield path;
  }
}

/** Whether package `a` depends on package `b`, directly or through others. */
export function dependsOn(a: string, b: string, seen: Set<string> = new Set()): boolean {
  if (seen.has(a)) return false;
  seen.add(a);
  return (ALLOWED_IMPORTS[a] ?? []).some((d) => d === b || dependsOn(d, b, seen));
}

/** Import specifiers of a module's source, comments and JSDoc examples excluded. */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** Problems with one file's imports: empty when it keeps to the graph. */
export function graphProblems(path: string, source: string): string[] {
  const [, pkg] = /^packages\/([^/]+)\//.exec(path) ?? [];
  if (!pkg) return [];
  const problems: string[] = [];
  const isTest = /_test\.ts$|_bench\.ts$|\/testdata\//.test(path);
  const isAdapter = pkg === "ssh";
  const allowed = ALLOWED_IMPORTS[pkg];
  if (!allowed) return [`${path}: package "${pkg}" is not in the graph`];
  for (const spec of importsOf(source)) {
    const hush = /^@hush\/([^/]+)/.exec(spec);
    if (hush) {
      // Tests may also use a sibling that does not itself depend on this package (no cycle).
      const ok = allowed.includes(hush[1]) || (isTest && !dependsOn(hush[1], pkg));
      if (hush[1] !== pkg && !ok) {
        problems.push(
          `${path}: imports ${spec}, but ${pkg} may only import ${allowed.join(", ") || "nothing"}`,
        );
      }
      continue;
    }
    if (spec.startsWith(".")) {
      const resolved = new URL(spec, `file:///${path}`).pathname.slice(1);
      if (!resolved.startsWith(`packages/${pkg}/`)) {
        problems.push(`${path}: reaches into ${resolved}; import a sibling through @hush/<name>`);
      }
      continue;
    }
    if (spec.startsWith("node:") && !isTest && !isAdapter) {
      problems.push(`${path}: imports ${spec}; runtime APIs belong in packages/ssh adapters`);
    }
  }
  if (!isTest && !isAdapter) {
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const m = RUNTIME.exec(code);
    if (m) problems.push(`${path}: uses ${m[0]}; runtime APIs belong in packages/ssh adapters`);
    const sniff = SNIFF.exec(code);
    if (sniff) {
      problems.push(
        `${path}: looks for a runtime (${sniff[0]}); let packages/ssh hand in what differs`,
      );
    }
  }
  return problems;
}

/** `Error(` or `new Error(`, not `SshError(` nor `TypeError(`. */
const PLAIN_ERROR = /(?<![\w$.])Error\s*\(/;

/**
 * Lines of a library file under packages/ that make a plain `Error`: empty when it has none.
 * Comments (JSDoc examples among them) are not code; `allow-plain-error` on the line or the one
 * above lets a genuine exception through (an errno-style error a file-system contract asks for).
 */
export function plainErrorProblems(path: string, source: string): string[] {
  if (!/^packages\//.test(path)) return [];
  if (/_test\.ts$|_bench\.ts$|\/testdata\/|\/testing\.ts$|\/test_[^/]*\.ts$/.test(path)) return [];
  const original = source.split("\n");
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .split("\n")
    .map((line) => line.replace(/^\s*\/\/.*$/, ""));
  const problems: string[] = [];
  code.forEach((line, i) => {
    if (!PLAIN_ERROR.test(line)) return;
    if (/allow-plain-error/.test(original[i]) || /allow-plain-error/.test(original[i - 1] ?? "")) {
      return;
    }
    problems.push(
      `${path}:${i + 1}: a plain Error; throw the package's error class (an SshError)`,
    );
  });
  return problems;
}

/** Names each package's mod.ts exports (from `deno doc --json`). */
async function exportedNames(deno: string, pkg: string): Promise<Set<string>> {
  const out = await new Deno.Command(deno, { args: ["doc", "--json", `packages/${pkg}/mod.ts`] })
    .output();
  if (!out.success) return new Set();
  const doc = JSON.parse(new TextDecoder().decode(out.stdout));
  const names = new Set<string>();
  for (const node of Object.values(doc.nodes ?? {}) as { symbols?: { name: string }[] }[]) {
    for (const sym of node.symbols ?? []) names.add(sym.name);
  }
  return names;
}

/**
 * `deno doc --lint` of each package's entry points. A public type that refers to a type a sibling
 * package exports is fine (it is public there, and users import it from there); any other
 * finding fails the check.
 */
async function docLint(deno: string, packages: string[]): Promise<boolean> {
  console.log("\n== deno doc --lint");
  const exported = new Map<string, Set<string>>();
  for (const p of packages) exported.set(p, await exportedNames(deno, p));
  let ok = true;
  for (const [pkg, entry] of await entryPoints(packages)) {
    const out = await new Deno.Command(deno, {
      args: ["doc", "--lint", entry],
      env: { NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    const blocks = text.split(/\n(?=error\[)/).filter((b) => b.startsWith("error["));
    const real = blocks.filter((b) => {
      const m = /^error\[private-type-ref\]: .* references private type '([^'"[]+)/.exec(b);
      if (!m) return true;
      return ![...exported].some(([other, names]) => other !== pkg && names.has(m[1]));
    });
    if (real.length > 0 || (!out.success && blocks.length === 0)) {
      ok = false;
      console.log(`${entry}:\n${real.join("\n") || text}`);
    }
  }
  console.log(ok ? "ok" : "FAILED");
  return ok;
}

/** Each package's entry points (its deno.json `exports`: `mod.ts`, and `browser.ts` for ssh). */
async function entryPoints(packages: string[]): Promise<[string, string][]> {
  const entries: [string, string][] = [];
  for (const pkg of packages) {
    const { exports } = JSON.parse(await Deno.readTextFile(`packages/${pkg}/deno.json`));
    const files = typeof exports === "string" ? [exports] : Object.values(exports ?? {});
    for (const f of files as string[]) {
      entries.push([pkg, `packages/${pkg}/${f.replace(/^\.\//, "")}`]);
    }
  }
  return entries;
}

async function step(name: string, cmd: string[]): Promise<boolean> {
  console.log(`\n== ${name}`);
  const { success } = await new Deno.Command(cmd[0], { args: cmd.slice(1) }).output().then(
    async (o) => {
      await Deno.stdout.write(o.stdout);
      await Deno.stderr.write(o.stderr);
      return o;
    },
  );
  console.log(success ? "ok" : "FAILED");
  return success;
}

if (import.meta.main) {
  let ok = true;
  const packages: string[] = [];
  for await (const e of Deno.readDir("packages")) if (e.isDirectory) packages.push(e.name);
  packages.sort();

  console.log("== package graph");
  const problems: string[] = [];
  const plain: string[] = [];
  for await (const path of walk("packages")) {
    const source = await Deno.readTextFile(path);
    problems.push(...graphProblems(path, source));
    plain.push(...plainErrorProblems(path, source));
  }
  for (const p of problems) console.log(p);
  console.log(problems.length === 0 ? "ok" : "FAILED");
  ok &&= problems.length === 0;

  console.log("\n== no plain Error in library code");
  for (const p of plain) console.log(p);
  console.log(plain.length === 0 ? "ok" : "FAILED");
  ok &&= plain.length === 0;

  const deno = Deno.execPath();
  ok = (await docLint(deno, packages)) && ok;
  const roots = ["packages", "tests", "examples", "bench"].filter((d) => {
    try {
      return Deno.statSync(d).isDirectory;
    } catch {
      return false;
    }
  });
  // --frozen: deno.lock must already hold every dependency deno.json names (in step with it)
  ok = (await step("deno check --frozen", [deno, "check", "--frozen", ...roots])) && ok;
  ok =
    (await step("deno check --doc-only README.md", [deno, "check", "--doc-only", "README.md"])) &&
    ok;
  Deno.exit(ok ? 0 : 1);
}
