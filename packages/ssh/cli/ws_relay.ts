/**
 * `hush ws-relay`: relays WebSocket connections from browser pages to SSH servers, like
 * websockify, and only to the targets on its allow-list. Logs each connection and every
 * refusal to stderr; prints `relay listening on ADDR:PORT` on stdout once bound.
 *
 * ```sh
 * deno task ws-relay --listen 127.0.0.1:8022 --allow 127.0.0.1:22 --origin http://127.0.0.1:8080
 * ```
 *
 * A page connects to `ws://127.0.0.1:8022/?target=127.0.0.1:22` (the target may be left out
 * when only one is allowed). Flags: `--listen [ADDR:]PORT` (127.0.0.1 by default; 0 picks a
 * port), `--allow HOST:PORT[,…]` (repeatable; required), `--origin ORIGIN[,…]` (pages from
 * these origins may connect, besides the relay's own origin and non-browser clients; `*` lets
 * any page in), `--max-connections N` (64), `--connect-timeout SECONDS` (10), `--path /PATH`.
 * @module
 */
import process from "node:process";
import { startWebSocketRelay } from "../websocket_relay.ts";
import { UsageError } from "./ssh_args.ts";
import { parseWsRelayArgs } from "./ws_relay_args.ts";

/**
 * Runs the relay until SIGINT/SIGTERM; resolves the exit code.
 *
 * @example Not run here: the relay runs until it is stopped
 * ```ts ignore
 * import { main } from "./ws_relay.ts";
 * process.exitCode = await main(["--listen", "0", "--allow", "127.0.0.1:22"]);
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const terminated = new Promise<string>((resolve) => {
    process.on("SIGINT", () => resolve("SIGINT"));
    process.on("SIGTERM", () => resolve("SIGTERM"));
  });
  try {
    const args = parseWsRelayArgs(argv);
    const relay = await startWebSocketRelay({
      ...args,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stderr.write(
      `relay: listening on ${relay.hostname}:${relay.port}, allowing ${args.allow.join(", ")}\n`,
    );
    process.stdout.write(`relay listening on ${relay.hostname}:${relay.port}\n`);
    const signal = await terminated;
    process.stderr.write(`relay: received ${signal}; closing\n`);
    await relay.close();
    return 0;
  } catch (e) {
    process.stderr.write(`ws-relay: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof UsageError || e instanceof TypeError ? 1 : 255;
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
