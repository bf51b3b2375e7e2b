/**
 * ssh-agent forwarding (`ssh -A`) against OpenSSH, with a real `ssh-agent` holding a key that
 * the remote `ssh-add -l` must list: OpenSSH's ssh → the Hush sshd command, the Hush ssh
 * command → OpenSSH's sshd, and Hush → Hush; without -A, and with AllowAgentForwarding no,
 * the remote side gets no agent.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { findBinary, requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  makeKey,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

const SSH_CLI = fileURLToPath(new URL("../../packages/ssh/cli/ssh.ts", import.meta.url));
/** The Hush ssh command: `deno run -A packages/ssh/cli/ssh.ts …`. */
const hushSsh = (args: string[], env: Record<string, string>) =>
  run(process.execPath, ["run", "-A", SSH_CLI, ...args], { env });
const HOST = "127.0.0.1";
const LIST = "ssh-add -l; echo status=$?";

test("agent forwarding with OpenSSH: ssh -A both ways, and refused", {
  timeout: 120_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "sshd", "ssh-keygen", "ssh-agent", "ssh-add");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-agent-fwd-");
  let agentPid: string | undefined;
  let hush: HushSshd | undefined;
  let closed: HushSshd | undefined;
  let openssh: Sshd | undefined;
  try {
    const { user, keysFile } = authorizedUser(dir, "user");
    // The forwarded key is not the one that logs in: only the agent can have shown it.
    const held = makeKey(dir, "held", "ed25519");
    const fingerprint = execFileSync("ssh-keygen", ["-l", "-f", `${held}.pub`], {
      encoding: "utf8",
    }).split(" ")[1];
    const sock = join(dir, "agent.sock");
    const out = execFileSync(findBinary("ssh-agent")!, ["-s", "-a", sock], { encoding: "utf8" });
    agentPid = /SSH_AGENT_PID=(\d+)/.exec(out)?.[1];
    execFileSync(findBinary("ssh-add")!, ["-q", held], {
      env: { SSH_AUTH_SOCK: sock, PATH: process.env.PATH ?? "" },
      stdio: "ignore",
    });
    const env = { SSH_AUTH_SOCK: sock };
    hush = await startHushSshd(["-d", "-o", `AuthorizedKeysFile=${keysFile}`]);
    const lists = (stdout: Buffer) => {
      const text = stdout.toString();
      assert.ok(text.includes(fingerprint), `${fingerprint} in:\n${text}`);
      assert.match(text, /\(ED25519\)\nstatus=0\n$/);
    };

    await t.test("OpenSSH ssh -A → Hush sshd: the remote ssh-add lists the key", async () => {
      const r = await run("ssh", [...sshBase(hush!.port, user), "-A", HOST, LIST], { env });
      assert.equal(r.code, 0, r.stderr);
      lists(r.stdout);
      assert.match(hush!.log(), /session \d+: agent forwarding to \S+\/agent\.\d+/);
    });

    await t.test("without -A the session has no agent", async () => {
      const r = await run("ssh", [...sshBase(hush!.port, user), HOST, 'echo "[$SSH_AUTH_SOCK]"'], {
        env,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "[]\n");
    });

    await t.test("Hush ssh -A → Hush sshd", async () => {
      const r = await hushSsh([...sshBase(hush!.port, user), "-A", HOST, LIST], env);
      assert.equal(r.code, 0, r.stderr);
      lists(r.stdout);
    });

    await t.test("Hush ssh -A → OpenSSH sshd (AllowAgentForwarding yes, its default)", async () => {
      openssh = await startSshd({
        authorizedKeys: [execFileSync("cat", [`${user}.pub`], { encoding: "utf8" }).trim()],
      });
      const r = await hushSsh([...sshBase(openssh.port, user), "-A", HOST, LIST], env);
      assert.equal(r.code, 0, r.stderr);
      lists(r.stdout);
    });

    await t.test("AllowAgentForwarding no: OpenSSH ssh -A gets no agent", async () => {
      closed = await startHushSshd([
        "-d",
        "-o",
        `AuthorizedKeysFile=${keysFile}`,
        "-o",
        "AllowAgentForwarding=no",
      ]);
      const r = await run("ssh", [
        ...sshBase(closed.port, user),
        "-A",
        HOST,
        'echo "[$SSH_AUTH_SOCK]"',
      ], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "[]\n");
      assert.match(closed.log(), /agent forwarding refused \(AllowAgentForwarding no\)/);
    });
  } finally {
    await hush?.stop();
    await closed?.stop();
    await openssh?.stop();
    if (agentPid) process.kill(Number(agentPid), "SIGTERM");
    remove();
  }
});
