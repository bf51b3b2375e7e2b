import { test } from "node:test";
import assert from "node:assert/strict";
import { parseWsRelayArgs } from "./ws_relay_args.ts";

test("ws-relay args: --listen, --allow lists (repeatable), origins, limits", () => {
  const a = parseWsRelayArgs([
    "--listen",
    "0.0.0.0:8022",
    "--allow",
    "127.0.0.1:22, [::1]:2222",
    "--allow=Host.Example:22",
    "--origin",
    "https://a.example,https://b.example",
    "--max-connections",
    "8",
    "--connect-timeout=3",
    "--path",
    "/ssh",
  ]);
  assert.deepEqual(a, {
    hostname: "0.0.0.0",
    port: 8022,
    allow: ["127.0.0.1:22", "[::1]:2222", "host.example:22"],
    origins: ["https://a.example", "https://b.example"],
    maxConnections: 8,
    connectTimeout: 3000,
    path: "/ssh",
  });
  assert.equal(parseWsRelayArgs(["--listen", "0", "--allow", "h:22"]).hostname, "127.0.0.1");
  assert.equal(parseWsRelayArgs(["--listen", "[::1]:9", "--allow", "h:22"]).hostname, "::1");
});

test("ws-relay args: no --allow, a bad target, a bad --listen or an unknown flag is a usage error", () => {
  assert.throws(() => parseWsRelayArgs(["--listen", "8022"]), /--allow is required/);
  assert.throws(() => parseWsRelayArgs(["--allow", "h:22"]), /--listen is required/);
  assert.throws(
    () => parseWsRelayArgs(["--listen", "1", "--allow", "h"]),
    /--allow h: not HOST:PORT/,
  );
  assert.throws(
    () => parseWsRelayArgs(["--listen", "h:99999", "--allow", "h:22"]),
    /--listen h:99999: not \[ADDR:\]PORT/,
  );
  assert.throws(
    () => parseWsRelayArgs(["--listen", "1", "--allow", "h:22", "--max-connections", "0"]),
    /not a positive number/,
  );
  assert.throws(() => parseWsRelayArgs(["--open-proxy"]), /Unknown option --open-proxy/);
  assert.throws(() => parseWsRelayArgs(["--listen"]), /Option --listen needs an argument/);
});
