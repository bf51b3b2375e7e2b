/**
 * known_hosts matching against adversarial patterns: 1 MiB lines of `*a?b*`-like patterns
 * against the longest host name. The matcher never backtracks across `*` (pattern.ts), so this
 * stays linear in the line's length. Run: `deno bench -A bench/known_hosts_bench.ts`.
 * @module
 */
import { parseKnownHosts } from "@hush/hostkeys";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMrcTV3+ZxotqMke6CbvLHQ+Lo/Xx2uwiDdXQ9hxevTG";
const name = "a".repeat(1025);
const mib = (pattern: string) =>
  Array.from({ length: Math.floor((1 << 20) / (pattern.length + 1)) }, () => pattern).join(",");
const text = ["*a?b*", "*?b*", "*a*b", "*" + "a?".repeat(250) + "b*", "a*".repeat(40) + "b"]
  .map((p) => `${mib(p)} ${KEY}`).join("\n");
const file = parseKnownHosts(text);

Deno.bench("5 MiB of adversarial patterns, longest name (no match)", { n: 5 }, () => {
  if (file.match(name).length !== 0) throw new Error("matched");
});
