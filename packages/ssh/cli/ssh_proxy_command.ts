/**
 * ProxyCommand: the connection is a command's stdin and stdout (`nc`, `ssh -W`, a corporate
 * proxy), run through the user's shell with `exec` as OpenSSH runs it; its stderr is ours.
 * @module
 */
import type { ByteDuplex } from "@hush/transport";

/** A running ProxyCommand: the byte duplex to run SSH over, and a way to stop it. */
export interface ProxyCommandConnection extends ByteDuplex {
  /** Ends the command (SIGTERM), if it is still running. */
  close(): void;
}

/**
 * Starts a ProxyCommand (tokens already expanded) with the whole environment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startProxyCommand } from "./ssh_proxy_command.ts";
 * // `nc example.org 22` in real use: SSH runs over the command's stdin and stdout
 * const proxy = startProxyCommand("echo SSH-2.0-OpenSSH_9.2");
 * assert.equal(await new Response(proxy.readable).text(), "SSH-2.0-OpenSSH_9.2\n");
 * await proxy.writable.close();
 * proxy.close();
 * ```
 */
export function startProxyCommand(command: string): ProxyCommandConnection {
  const shell = Deno.env.get("SHELL") || "/bin/sh";
  const child = new Deno.Command(shell, {
    args: ["-c", `exec ${command}`],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let done = false;
  child.status.then(() => (done = true));
  return {
    readable: child.stdout,
    writable: child.stdin,
    close() {
      if (done) return;
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    },
  };
}
