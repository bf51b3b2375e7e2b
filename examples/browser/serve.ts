/**
 * `deno task example:browser`: builds the browser bundles and serves the example page with the
 * relay beside it on the same origin (`/relay`), so that the page may use it without an
 * `--origin` list. The relay reaches only the targets given with `--allow`.
 *
 * ```sh
 * deno task example:browser --listen 127.0.0.1:8080 --allow 127.0.0.1:22
 * # then open http://127.0.0.1:8080/ (WebCrypto needs a secure context: 127.0.0.1 or https)
 * ```
 * @module
 */
import process from "node:process";
import { parseRelayTarget, startWebSocketRelay, type WebSocketRelay } from "@hush/ssh";
import { buildBrowser } from "../../tests/tools/build_browser.ts";

/** The files the page is made of, by URL path: where each lives and its type. */
const PAGE_FILES: Record<string, { dir: "page" | "dist"; name: string; type: string }> = {
  "/": { dir: "page", name: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { dir: "page", name: "index.html", type: "text/html; charset=utf-8" },
  "/hush.js": { dir: "dist", name: "hush.js", type: "text/javascript; charset=utf-8" },
  "/hush.js.map": { dir: "dist", name: "hush.js.map", type: "application/json" },
  "/app.js": { dir: "dist", name: "app.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { dir: "dist", name: "app.css", type: "text/css; charset=utf-8" },
};

/** A running example server. */
export interface ExampleServer {
  /** The page's URL, e.g. `http://127.0.0.1:8080/`. */
  url: string;
  /** The relay on `/relay`. */
  relay: WebSocketRelay;
  /** Stops serving. */
  close(): Promise<void>;
}

/** Options for {@linkcode startExampleServer}. */
export interface ExampleServerOptions {
  hostname?: string;
  port?: number;
  /** The relay's allow-list. */
  allow: string[];
  /** Relay log lines. */
  log?: (line: string) => void;
  /** Where the bundles are (built there first unless `build` is false). */
  distDir?: string;
  build?: boolean;
}

/** Builds the bundles (unless told not to) and serves the page and the relay. */
export async function startExampleServer(options: ExampleServerOptions): Promise<ExampleServer> {
  const pageDir = new URL(".", import.meta.url).pathname;
  const distDir = options.distDir ?? new URL("../../dist/browser", import.meta.url).pathname;
  if (options.build !== false) await buildBrowser(distDir);
  const relay = await startWebSocketRelay({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 8080,
    path: "/relay",
    allow: options.allow,
    log: options.log,
    onRequest: async (request) => {
      const file = PAGE_FILES[new URL(request.url).pathname];
      if (!file || request.method !== "GET") return new Response("Not found\n", { status: 404 });
      const body = await Deno.readFile(
        `${file.dir === "page" ? pageDir : `${distDir}/`}${file.name}`,
      );
      return new Response(body, {
        headers: {
          "content-type": file.type,
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
        },
      });
    },
  });
  return {
    url: `http://${relay.hostname}:${relay.port}/`,
    relay,
    close: () => relay.close(),
  };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: string) => {
    const at = args.indexOf(name);
    return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
  };
  const listen = /^(?:(.+):)?(\d+)$/.exec(flag("--listen", "127.0.0.1:8080"));
  const allow = flag("--allow", "127.0.0.1:22").split(",").filter((t) => t.trim() !== "");
  if (!listen || allow.some((t) => !parseRelayTarget(t))) {
    console.error("usage: example:browser [--listen [ADDR:]PORT] [--allow HOST:PORT[,…]]");
    process.exit(1);
  }
  const server = await startExampleServer({
    hostname: listen[1] ?? "127.0.0.1",
    port: Number(listen[2]),
    allow,
    log: (line) => console.error(line),
  });
  console.log(`serving ${server.url} (relay on /relay, allowing ${allow.join(", ")})`);
}
