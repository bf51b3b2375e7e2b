/**
 * Runs every TypeScript example in `packages/ssh/README.md` as the program a user would copy,
 * against a throwaway OpenSSH sshd. Each TypeScript code block is written to a file and run with
 * `deno run -A` in a scratch directory, with `HOME` a fresh directory holding what the examples
 * assume a user has: `~/.ssh/id_ed25519` (authorized on the sshd), `~/.ssh/id_ed25519_pw`
 * (the same kind of key, passphrase `correct horse`), `~/.ssh/known_hosts` (the sshd's host
 * keys) and `~/.ssh/config` (`Host db` and `Host bastion`, both this sshd). The README writes
 * hosts as `hostname: "example.com"` (or `*.example.com`), the user as `username: "me"` and a web
 * server behind the SSH server as `port: 8080`; only those are rewritten (to this sshd's address
 * and port, this user, and a local web server), and a pinned `"SHA256:…"` fingerprint to that of
 * the sshd's Ed25519 host key, so what runs is what the README shows. A block
 * passes when it exits 0 and prints every line that a `// prints: …` comment in it names. The
 * blocks are fenced as `ts ignore`, so that `deno test --doc` leaves them (they need a server);
 * here every one runs, type-checked.
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parsePublicKeyLine } from "@hush/keys";
import { requireOpenSsh, startSshd } from "../helpers/openssh.ts";
import { ROOT, tempDir } from "./server_fixture.ts";

const README = join(ROOT, "packages/ssh/README.md");
/** Longest one example may run. */
const EXAMPLE_TIMEOUT_MS = 120_000;

/** One fenced TypeScript block of the README. */
interface Example {
  /** The heading it sits under (the task it shows). */
  title: string;
  code: string;
}

/** The README's TypeScript code blocks, each with the nearest heading above it. */
function examples(markdown: string): Example[] {
  const found: Example[] = [];
  let title = "";
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#{2,4} (.*)$/.exec(lines[i]);
    if (heading) title = heading[1];
    const fence = /^```ts( ignore)?\s*$/.exec(lines[i]);
    if (!fence) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]);
    found.push({ title, code: body.join("\n") });
  }
  return found;
}

/** The README's host, port and user rewritten to the test's; throws when one names none. */
function rewrite(
  code: string,
  port: number,
  httpPort: number,
  user: string,
  fingerprint: string,
): string {
  return code
    .replaceAll(/"SHA256:[A-Za-z0-9+/]{43}"/g, JSON.stringify(fingerprint))
    .replaceAll(/hostname: "(?:[\w-]+\.)?example\.com"/g, `hostname: "127.0.0.1", port: ${port}`)
    .replaceAll('username: "me"', `username: ${JSON.stringify(user)}`)
    .replaceAll("port: 8080", `port: ${httpPort}`);
}

/** What a block says it prints: the text after each `// prints: `. */
function expectedOutput(code: string): string[] {
  return [...code.matchAll(/\/\/ prints: (.*)$/gm)].map((m) => m[1].trim());
}

function runExample(
  file: string,
  cwd: string,
  home: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["run", "-A", "--check", "--config", join(ROOT, "deno.json"), file],
      {
        cwd,
        env: { ...process.env, HOME: home, SSH_AUTH_SOCK: "" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), EXAMPLE_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test("packages/ssh/README.md: every example runs against OpenSSH's sshd and prints what it says", async (t) => {
  const why = requireOpenSsh("sshd", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-readme-");
  const web = createServer((_req, res) => res.end("hello from behind the server\n"));
  try {
    const home = join(dir, "home");
    const ssh = join(home, ".ssh");
    const work = join(dir, "work");
    mkdirSync(ssh, { recursive: true });
    mkdirSync(work);
    const keygen = (name: string, passphrase: string) =>
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-f", join(ssh, name)]);
    keygen("id_ed25519", "");
    keygen("id_ed25519_pw", "correct horse");
    const authorized = ["id_ed25519", "id_ed25519_pw"].map((k) =>
      readFileSync(join(ssh, `${k}.pub`), "utf8").trim()
    );
    const sshd = await startSshd({ authorizedKeys: authorized, logLevel: "ERROR" });
    await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
    const httpPort = (web.address() as AddressInfo).port;
    const user = userInfo().username;
    const fingerprint = parsePublicKeyLine(sshd.hostKeys.ed25519).key.fingerprint();
    try {
      writeFileSync(
        join(ssh, "known_hosts"),
        Object.values(sshd.hostKeys).map((k) => `[127.0.0.1]:${sshd.port} ${k}\n`).join(""),
      );
      writeFileSync(
        join(ssh, "config"),
        ["db", "bastion"].map((host) =>
          `Host ${host}\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${user}\n` +
          `  IdentityFile ~/.ssh/id_ed25519\n`
        ).join(""),
      );
      chmodSync(join(ssh, "config"), 0o600);
      writeFileSync(join(work, "report.csv"), "day,visits\nmonday,3\n");

      const all = examples(readFileSync(README, "utf8"));
      assert.ok(all.length >= 10, "the README shows ten tasks");
      for (const [i, example] of all.entries()) {
        await t.test(`${i + 1}. ${example.title}`, async () => {
          const code = rewrite(example.code, sshd.port, httpPort, user, fingerprint);
          const file = join(work, `example_${i + 1}.ts`);
          writeFileSync(file, code);
          const result = await runExample(file, work, home);
          assert.equal(
            result.code,
            0,
            `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
          );
          for (const line of expectedOutput(example.code)) {
            assert.ok(
              result.stdout.includes(line),
              `expected ${JSON.stringify(line)} in\n${result.stdout}\n--- stderr\n${result.stderr}`,
            );
          }
        });
      }
    } finally {
      await sshd.stop();
    }
  } finally {
    web.close();
    remove();
  }
});
