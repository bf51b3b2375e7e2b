/**
 * `deno task build:browser`: bundles the browser client (`@hush/ssh/browser`) into one
 * minified ES module, `dist/browser/hush.js`, and the example page's script
 * (`examples/browser/app.ts`, with xterm.js) into `dist/browser/app.js` and `app.css`, which
 * loads the client bundle through the page's import map. Fails when the client bundle holds an
 * import of a runtime module (`node:*`): a browser could not load it. Prints the sizes.
 *
 * Usage: `deno run -A tests/tools/build_browser.ts [--out DIR]`
 * @module
 */

/** What one build made. */
export interface BrowserBuild {
  /** The directory holding `hush.js`, `app.js`, `app.css`. */
  outDir: string;
  /** `hush.js`: bytes, and bytes gzipped (what a server sends with compression). */
  client: { bytes: number; gzipBytes: number };
  /** `app.js` + `app.css` (the example page with xterm.js, without the client). */
  app: { bytes: number; gzipBytes: number };
}

const ROOT = new URL("../../", import.meta.url).pathname;

/** Imports of runtime modules, static or dynamic, in bundled JavaScript. */
const RUNTIME_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["'](?:node:|deno:|bun:)[^"']*["']/g;

/**
 * The runtime-module imports in a bundle (empty when a browser can load it).
 *
 * @example
 * ```ts
 * import { runtimeImports } from "./build_browser.ts";
 * console.log(runtimeImports('const n = await import("node:net");')); // [ 'import("node:net"' ]
 * console.log(runtimeImports('p.getBuiltinModule?.("node:crypto")')); // []
 * ```
 */
export function runtimeImports(code: string): string[] {
  return [...code.matchAll(RUNTIME_IMPORT)].map((m) => m[0]);
}

async function bundle(args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "browser", ...args],
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  // esbuild's notes about noble's side-effect-free imports are noise; real errors fail the run
  const err = new TextDecoder().decode(out.stderr).split("\n")
    .filter((l) =>
      l.trim() && !/ignored-bare-import|^\s+at .*noble|marked as having no side/.test(l)
    );
  if (err.length) console.error(err.join("\n"));
  if (!out.success) throw new Error(`deno bundle ${args.join(" ")} failed`);
}

async function sizes(...files: string[]): Promise<{ bytes: number; gzipBytes: number }> {
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const data = await Deno.readFile(file);
    bytes += data.length;
    const gz = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
    gzipBytes += (await new Response(gz).arrayBuffer()).byteLength;
  }
  return { bytes, gzipBytes };
}

/** Builds the client bundle and the example page's script into `outDir`. */
export async function buildBrowser(outDir = `${ROOT}dist/browser`): Promise<BrowserBuild> {
  await Deno.mkdir(outDir, { recursive: true });
  const client = `${outDir}/hush.js`;
  await bundle([
    "--minify",
    "--sourcemap=linked",
    "-o",
    client,
    "packages/ssh/browser.ts",
  ]);
  const found = runtimeImports(await Deno.readTextFile(client));
  if (found.length) {
    throw new Error(`The browser bundle imports runtime modules: ${found.join(", ")}`);
  }
  // The page's own script; the client stays in hush.js, loaded through the page's import map.
  await bundle([
    "--minify",
    "--external",
    "@hush/ssh/browser",
    "--outdir",
    outDir,
    "examples/browser/app.ts",
  ]);
  return {
    outDir,
    client: await sizes(client),
    app: await sizes(`${outDir}/app.js`, `${outDir}/app.css`),
  };
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--out");
  const build = await buildBrowser(at >= 0 ? Deno.args[at + 1] : undefined);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `${build.outDir}/hush.js: ${kib(build.client.bytes)} (${
      kib(build.client.gzipBytes)
    } gzipped), no runtime imports`,
  );
  console.log(
    `${build.outDir}/app.js + app.css (page, xterm.js): ${kib(build.app.bytes)} (${
      kib(build.app.gzipBytes)
    } gzipped)`,
  );
}
