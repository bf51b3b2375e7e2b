/**
 * How the `ssh`, `sftp` and `scp` commands connect: the agent, identities, known_hosts and
 * prompts of the settings, through each `-J` jump host (a direct-tcpip channel to the next hop)
 * to the destination, failures printed in OpenSSH's words.
 * @module
 */
import type { ByteDuplex } from "@hush/transport";
import type { SshClient } from "../client.ts";
import { connect } from "../connect.ts";
import type { ConnectOptions } from "../connect_options.ts";
import type { SshSettings } from "./ssh_config.ts";
import { withConnectTimeout } from "./ssh_connect_timeout.ts";
import { failureMessage } from "./ssh_failure.ts";
import { askHostKey, traceHostKeys } from "./ssh_host_key_check.ts";
import { loadIdentities, openAgent } from "./ssh_identities.ts";
import { err, type Io } from "./ssh_io.ts";
import { sshKnownHosts } from "./ssh_known_hosts.ts";
import { PromptInterrupted, readLine, tell } from "./ssh_tty.ts";

/** A host ssh connects to: a `-J` jump host or the destination. */
type Hop = { host: string; port: number; user: string };

/** The connection to the destination, and the jump hosts it runs through (outermost first). */
export interface HopsConnection {
  client: SshClient;
  jumps: SshClient[];
}

/**
 * Connects to the destination of `s` through its `-J` hops, with `destination` added to the
 * destination's options (forwardings, agent forwarding). On failure prints OpenSSH's message on
 * stderr, closes the hops already up and resolves `undefined`.
 *
 * @example
 * ```ts ignore
 * const connected = await connectHops(settings, io, 0);
 * if (!connected) Deno.exit(255);
 * ```
 */
export async function connectHops(
  s: SshSettings,
  io: Io,
  verbose: number,
  destination: Partial<ConnectOptions> = {},
): Promise<HopsConnection | undefined> {
  let where: Hop = { host: s.host, port: s.port, user: s.user };
  let client: SshClient;
  const jumps: SshClient[] = [];
  try {
    const agent = await openAgent(s, io);
    const agentKeys = agent ? await agent.identities().catch(() => []) : [];
    const identities = await loadIdentities(s, io, agentKeys);
    const store = s.knownHostsFiles.length
      ? traceHostKeys(await sshKnownHosts(s.knownHostsFiles), io)
      : undefined;
    const canAsk = !s.batchMode;
    let passwordAsked = 0;
    // The options for one hop: a -J jump host (through the previous hop's channel, if any), or
    // the destination, which alone gets `destination`.
    const optionsFor = (hop: Hop, duplex?: ByteDuplex, last = true): ConnectOptions => ({
      hostname: hop.host,
      port: hop.port,
      username: hop.user,
      duplex,
      identities: identities.signers,
      agent,
      password: s.passwordAuthentication && canAsk
        ? () => {
          // as ssh: each prompt after the first says the last one was refused
          if (passwordAsked++ > 0) err("Permission denied, please try again.\n");
          return readLine(`${hop.user}@${hop.host}'s password: `, { echo: false });
        }
        : undefined,
      keyboardInteractive: s.kbdInteractiveAuthentication && canAsk
        ? async (challenge) => {
          if (challenge.name) await tell(challenge.name + "\n");
          if (challenge.instruction) await tell(challenge.instruction + "\n");
          const answers: string[] = [];
          for (const p of challenge.prompts) {
            const a = await readLine(p.prompt, { echo: p.echo });
            if (a === undefined) throw new Error("No terminal to answer the server's prompts");
            answers.push(a);
          }
          return answers;
        }
        : undefined,
      knownHosts: store,
      hashKnownHosts: s.hashKnownHosts,
      policy: s.policy,
      ask: (info) => askHostKey(info as { message?: string; fingerprint: string }),
      algorithms: s.algorithms,
      trace: io.trace,
      onBanner: (m) => {
        if (!s.quiet) err(m.endsWith("\n") ? m : m + "\n");
      },
      publicKeyAlgorithms: s.pubkeyAlgorithmsGiven ? s.pubkeyAlgorithms : undefined,
      rekeyBytes: s.rekeyBytes,
      rekeyInterval: s.rekeyInterval,
      keepaliveInterval: s.keepaliveInterval,
      keepaliveCountMax: s.keepaliveCountMax,
      connectTimeout: s.connectTimeout,
      ...(last ? destination : {}),
    });
    const connectHop = async (hop: Hop, duplex?: ByteDuplex, last = true) => {
      where = hop;
      io.connected = false;
      io.trace(`Authenticating to ${hop.host}:${hop.port} as '${hop.user}'`);
      const c = await withConnectTimeout(connect(optionsFor(hop, duplex, last)), s, io);
      io.trace(`Authenticated to ${hop.host} ([${hop.host}]:${hop.port}).`);
      return c;
    };
    // -J: each jump host opens a direct-tcpip channel to the next hop, the way OpenSSH's
    // ssh -W does, and the next connection runs over it.
    let duplex: ByteDuplex | undefined;
    const hops = [...s.jumps, { host: s.host, port: s.port, user: s.user }];
    for (const [i, hop] of s.jumps.entries()) {
      const jump = await connectHop(hop, duplex, false);
      jumps.push(jump);
      const next = hops[i + 1];
      io.trace(`Jump host ${hop.host}: direct-tcpip to ${next.host}:${next.port}`);
      try {
        duplex = await jump.forwardOut(next.host, next.port);
      } catch (e) {
        // in OpenSSH's words for a -W that the jump host refused
        err(`channel 0: open failed: ${(e as Error).message}\nstdio forwarding failed\n`);
        for (const j of jumps.reverse()) await j.close().catch(() => {});
        return undefined;
      }
    }
    client = await connectHop(hops[hops.length - 1], duplex);
    identities.dispose();
  } catch (e) {
    for (const jump of jumps.reverse()) await jump.close().catch(() => {});
    if (e instanceof PromptInterrupted) return undefined;
    if (verbose > 1) err(`debug2: ${(e as Error)?.stack ?? e}\n`);
    err(failureMessage(e, { ...where, connected: io.connected }) + "\n");
    return undefined;
  }
  return { client, jumps };
}
