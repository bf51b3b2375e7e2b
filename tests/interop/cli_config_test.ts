/**
 * `ssh -G` of the Hush ssh command against OpenSSH's, on the configuration files in
 * `testdata/ssh_config/` (Host patterns, Match, Include, % tokens, algorithm list modifiers,
 * the other options) and on command lines that mix `-o` and flags with a file: for every key
 * Hush prints, its value must be OpenSSH's. Where the two differ by design the comparison says
 * so: algorithm lists are compared over the names both implement and both have (or neither
 * has) by default, and the default identity files (Hush tries fewer) are not compared. Bad
 * files must fail in both, with OpenSSH's message. Deno only (spawns `deno run`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { findBinary, requireOpenSsh } from "../helpers/openssh.ts";
import { run, tempDir } from "./server_fixture.ts";
import {
  ALGORITHM_DEFAULTS,
  assembleAlgorithms,
} from "../../packages/ssh/ssh_config_algorithms.ts";

const SSH_CLI = fileURLToPath(new URL("../../packages/ssh/cli/ssh.ts", import.meta.url));
const TESTDATA = fileURLToPath(new URL("./testdata/ssh_config/", import.meta.url));

/** `ssh -G` output as key → values (repeated keys, such as identityfile, in order). */
function parseG(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    const space = line.indexOf(" ");
    const key = line.slice(0, space);
    out.set(key, [...(out.get(key) ?? []), line.slice(space + 1)]);
  }
  return out;
}

const ALGORITHM_KEYS: Record<string, keyof typeof ALGORITHM_DEFAULTS> = {
  ciphers: "Ciphers",
  macs: "MACs",
  kexalgorithms: "KexAlgorithms",
  hostkeyalgorithms: "HostKeyAlgorithms",
  pubkeyacceptedalgorithms: "PubkeyAcceptedAlgorithms",
};

/** OpenSSH's own names and defaults per algorithm key, from `ssh -Q` and `ssh -G -F none`. */
function opensshAlgorithms(): Record<string, { names: Set<string>; defaults: string[] }> {
  const query = (what: string) =>
    execFileSync(findBinary("ssh")!, ["-Q", what], { encoding: "utf8" }).trim().split("\n");
  const defaults = parseG(
    execFileSync(findBinary("ssh")!, ["-G", "-F", "none", "h"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }),
  );
  const keys = query("key-sig");
  const names: Record<string, string[]> = {
    ciphers: query("cipher"),
    macs: query("mac"),
    kexalgorithms: query("kex"),
    hostkeyalgorithms: keys,
    pubkeyacceptedalgorithms: keys,
  };
  return Object.fromEntries(
    Object.keys(ALGORITHM_KEYS).map((k) => [k, {
      names: new Set(names[k]),
      defaults: defaults.get(k)![0].split(","),
    }]),
  );
}

/**
 * An algorithm list, less the names that differ by design: those only one side implements,
 * and those only one side offers by default.
 */
function comparable(
  list: string[],
  key: string,
  openssh: { names: Set<string>; defaults: string[] },
): string[] {
  const hushDefaults = ALGORITHM_DEFAULTS[ALGORITHM_KEYS[key]];
  // "*" picks every name Hush implements
  const hushNames = assembleAlgorithms(ALGORITHM_KEYS[key], "*");
  return list.filter((n) =>
    openssh.names.has(n) && hushNames.includes(n) &&
    hushDefaults.includes(n) === openssh.defaults.includes(n)
  );
}

async function hushG(args: string[], home: string) {
  return await run(process.execPath, ["run", "-A", "--quiet", SSH_CLI, "-G", ...args], {
    env: { HOME: home },
  });
}

async function opensshG(args: string[]) {
  return await run(findBinary("ssh")!, ["-G", ...args]);
}

test("cli ssh -G: Hush agrees with OpenSSH on every key it prints", {
  timeout: 300_000,
}, async (t) => {
  const why = requireOpenSsh("ssh");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-ssh-g-");
  // OpenSSH expands ~ and %d from the password database, not $HOME
  const home = userInfo().homedir;
  try {
    // the configuration files, with @DIR@ made the copy's directory
    cpSync(TESTDATA, dir, { recursive: true });
    const substitute = (path: string) => {
      for (const name of readdirSync(path)) {
        const p = join(path, name);
        if (statSync(p).isDirectory()) substitute(p);
        else writeFileSync(p, readFileSync(p, "utf8").replaceAll("@DIR@", dir));
      }
    };
    substitute(dir);
    const algorithms = opensshAlgorithms();
    const compare = async (label: string, args: string[]) => {
      const [ours, theirs] = await Promise.all([hushG(args, home), opensshG(args)]);
      assert.equal(theirs.code, 0, `${label}: OpenSSH failed: ${theirs.stderr}`);
      assert.equal(ours.code, 0, `${label}: Hush failed: ${ours.stderr}`);
      const h = parseG(ours.stdout.toString());
      const o = parseG(theirs.stdout.toString());
      assert.ok(h.size > 25, `${label}: Hush printed ${h.size} keys`);
      for (const [key, values] of h) {
        if (key in ALGORITHM_KEYS) {
          const ourList = comparable(values[0].split(","), key, algorithms[key]);
          const theirList = comparable(o.get(key)![0].split(","), key, algorithms[key]);
          if (key === "ciphers") {
            // the two default cipher orders differ (Hush has OpenSSH 10's): a modifier keeps
            // each side's order, so compare the names and the first choice
            assert.deepEqual([...ourList].sort(), [...theirList].sort(), `${label}: ${key}`);
            assert.equal(ourList[0], theirList[0], `${label}: first of ${key}`);
          } else {
            assert.deepEqual(ourList, theirList, `${label}: ${key}`);
          }
          continue;
        }
        // with no IdentityFile, each tries its own defaults (Hush: fewer)
        if (key === "identityfile" && !o.get(key)?.some((f) => !/^~\/\.ssh\/id_\w+$/.test(f))) {
          continue;
        }
        assert.deepEqual(values, o.get(key) ?? [], `${label}: ${key}`);
      }
    };
    const cases: [string, string[]][] = [
      ["no file", ["-F", "none", "plain.example"]],
      ...[
        "a.example.org",
        "bad.example.org",
        "web1.example.org",
        "web10.example.org",
        "db",
        "A.EXAMPLE.ORG",
        "192.168.0.5",
        "other",
      ].map((h): [string, string[]] => [`patterns ${h}`, ["-F", join(dir, "patterns.conf"), h]]),
      ...["short", "SHORT", "alias", "exechost", "x"].map((h): [string, string[]] => [
        `match ${h}`,
        ["-F", join(dir, "match.conf"), h],
      ]),
      ["match -l root short", ["-F", join(dir, "match.conf"), "-l", "root", "short"]],
      ...["x", "y", "other"].map((h): [string, string[]] => [
        `include ${h}`,
        ["-F", join(dir, "include.conf"), h],
      ]),
      ...["tok", "Other.Host"].map((h): [string, string[]] => [
        `tokens ${h}`,
        ["-F", join(dir, "tokens.conf"), h],
      ]),
      ...["explicit", "plus", "minus", "caret", "wild"].map((h): [string, string[]] => [
        `modifiers ${h}`,
        ["-F", join(dir, "modifiers.conf"), h],
      ]),
      ...["opts", "pc", "nojump"].map((h): [string, string[]] => [
        `options ${h}`,
        ["-F", join(dir, "options.conf"), h],
      ]),
      [
        "command line over the file",
        ["-F", join(dir, "options.conf"), "-p", "3000", "-l", "cli", "-o", "User=ignored"]
          .concat(["-i", "/k/a", "-o", "IdentityFile=/k/b", "-L", "7000:h:70", "-D", "7001"])
          .concat(["-J", "j9", "-A", "-t", "-o", "Ciphers=aes128-ctr", "-o", "LogLevel=INFO"])
          .concat(["someone@opts"]),
      ],
      [
        "flags that win over everything",
        ["-F", join(dir, "options.conf"), "-a", "-T", "-q", "-o", "ForwardAgent=yes", "opts"],
      ],
      ["ssh:// destination", ["-F", "none", "-vv", "ssh://u@h.example:2022"]],
      // -C wins over a Compression line, before or after it
      ["-C after Compression=no", ["-F", "none", "-o", "Compression=no", "-C", "h"]],
      ["-C before Compression=no", ["-F", "none", "-C", "-o", "Compression=no", "h"]],
    ];
    // a few at a time: each side is a process start
    for (let i = 0; i < cases.length; i += 4) {
      await Promise.all(cases.slice(i, i + 4).map(([label, args]) => compare(label, args)));
    }

    await t.test("a bad file fails in both, with OpenSSH's message", async () => {
      const bad: [string, string][] = [
        ["Host x\n  Port 22\nFooBar yes\n", "line 3: Bad configuration option: foobar"],
        ["Host nomatch\n  Port abc\n", "line 2: Bad port 'abc'."],
        ["Match foo bar\n", "Unsupported Match attribute foo"],
        ["Ciphers aes*\n", "line 1: Bad SSH2 cipher spec 'aes*'."],
        [`Include ${dir}/bad-self.conf\n`, "Too many recursive configuration includes"],
        ["LocalForward 8080\n", "line 1: Missing target argument."],
      ];
      for (const [i, [text, message]] of bad.entries()) {
        const file = join(dir, i === 4 ? "bad-self.conf" : `bad-${i}.conf`);
        writeFileSync(file, text);
        const [ours, theirs] = await Promise.all([
          hushG(["-F", file, "x"], home),
          opensshG(["-F", file, "x"]),
        ]);
        assert.equal(theirs.code, 255, `OpenSSH on ${text}`);
        assert.ok(theirs.stderr.includes(message), theirs.stderr);
        assert.equal(ours.code, 255, `Hush on ${text}: ${ours.stdout}`);
        assert.ok(ours.stderr.includes(message), `Hush said: ${ours.stderr}`);
      }
      // names that would be shell syntax in a ProxyCommand or Match exec, as OpenSSH refuses them
      for (
        const [args, message] of [
          [["a;b"], "hostname contains invalid characters"],
          [["a b"], "hostname contains invalid characters"],
          [["-l", "a;b", "h"], "remote username contains invalid characters"],
          [["-o", "User=a`b`", "h"], "remote username contains invalid characters"],
        ] as const
      ) {
        const [ours, theirs] = await Promise.all([
          hushG(["-F", "none", ...args], home),
          opensshG(["-F", "none", ...args]),
        ]);
        assert.equal(theirs.code, 255);
        assert.ok(theirs.stderr.includes(message), theirs.stderr);
        assert.equal(ours.code, 255);
        assert.ok(ours.stderr.includes(message), `Hush said: ${ours.stderr}`);
      }
      const missing = join(dir, "no-such-file");
      const ours = await hushG(["-F", missing, "x"], home);
      assert.equal(ours.code, 255);
      assert.match(ours.stderr, /Can't open user config file .*no-such-file: No such file/);
    });
  } finally {
    remove();
  }
});
