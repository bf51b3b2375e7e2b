// authorized_keys parsing and checking at and past its bounds: deno bench -A bench/authorized_keys_bench.ts
// Every client of a Hush server shares one process: a file that takes seconds to read stalls
// them all. Parsing is one pass; a line past a bound is refused at the bound.
import {
  AUTHORIZED_KEYS_MAX_PERMITS,
  authorizedKeysChecker,
  parseAuthorizedKeys,
} from "@hush/auth";
import { generateKey } from "@hush/keys";

const key = await generateKey("ssh-ed25519");
const keyText = key.publicKey.toString();
const repeat = (n: number, option: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => option(i)).join(",");

const atBound = `${
  repeat(AUTHORIZED_KEYS_MAX_PERMITS, (i) => `permitopen="db${i}:5432"`)
} ${keyText}`;
const pastBound = `${repeat(16_000, (i) => `permitopen="h${i}:22"`)} ${keyText}`;
const oneList = `permitopen="${repeat(100_000, (i) => `h:${i}`)}" ${keyText}`;
const flags = `${repeat(100_000, (i) => (i % 2 ? "pty" : "no-pty"))} ${keyText}`;

Deno.bench("4096 permitopen options (the bound)", { group: "parse" }, () => {
  parseAuthorizedKeys(atBound);
});
Deno.bench("16 000 permitopen options (refused at 4097)", { group: "parse" }, () => {
  parseAuthorizedKeys(pastBound);
});
Deno.bench("one permitopen listing 100 000 destinations (refused)", { group: "parse" }, () => {
  parseAuthorizedKeys(oneList);
});
Deno.bench("100 000 flags (read)", { group: "parse" }, () => {
  parseAuthorizedKeys(flags);
});

const stars = "*1".repeat(14);
const from = authorizedKeysChecker(`from="${repeat(1000, () => `${stars}*x`)}" ${keyText}`);
Deno.bench("from= with 1000 many-star patterns, IPv6 client", { group: "check" }, async () => {
  await from("alice", key.publicKey, {
    remoteAddress: "2001:db8:1111:1111:1111:1111:1111:1111",
    now: 0,
  });
});
