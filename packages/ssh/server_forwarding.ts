/**
 * Real TCP port forwarding for {@linkcode serve}: `direct-tcpip` connects a TCP socket,
 * `tcpip-forward` listens on the requested address and sends each connection back to the
 * client. What `sshd`'s `AllowTcpForwarding` switches on.
 * @module
 */
import { ChannelOpenFailureReason } from "@hush/wire";
import { connectTcp, listenTcp } from "./adapters/tcp.ts";
import type { ForwardHandlers } from "./server_forward_handlers.ts";

/**
 * Options for {@linkcode tcpForwarding}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tcpForwarding } from "@hush/ssh";
 * const onForward = tcpForwarding({ local: true, remote: false, trace: console.error });
 * assert.equal(typeof onForward.directTcpip, "function");
 * assert.equal(onForward.tcpipForward, undefined);
 * ```
 */
export interface TcpForwardingOptions {
  /** Allow `direct-tcpip` (ssh -L) (true). */
  local?: boolean;
  /** Allow `tcpip-forward` (ssh -R) (true). */
  remote?: boolean;
  /**
   * Where `tcpip-forward` listeners bind (GatewayPorts): `clientspecified` (default) the
   * address the client asked for; `no` always the loopback address; `yes` every interface.
   */
  gatewayPorts?: "no" | "yes" | "clientspecified";
  /** `sshd -d` style lines. */
  trace?: (line: string) => void;
}

/**
 * The address a `tcpip-forward` asks for, as a listen address: `""` and `*` mean every
 * interface, `localhost` the IPv4 loopback (as OpenSSH binds it), anything else as given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forwardBindAddress } from "./server_forwarding.ts";
 * assert.equal(forwardBindAddress(""), "0.0.0.0");
 * assert.equal(forwardBindAddress("localhost"), "127.0.0.1");
 * ```
 */
export function forwardBindAddress(address: string): string {
  if (address === "" || address === "*") return "0.0.0.0";
  if (address === "localhost") return "127.0.0.1";
  return address.replace(/^\[(.*)\]$/, "$1");
}

/**
 * Forwarding handlers for {@linkcode serve} that open real TCP sockets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, serve, tcpForwarding } from "@hush/ssh";
 * const server = await serve({
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   hostKeys: [await generateKey("ssh-ed25519")],
 *   authenticate: { authorizedKeys: "" }, // the users' keys
 *   onForward: tcpForwarding(), // clients may use -L and -R
 * });
 * assert.ok(server.port > 0);
 * await server.close();
 * ```
 */
export function tcpForwarding(options: TcpForwardingOptions = {}): ForwardHandlers {
  const trace = options.trace ?? (() => {});
  const handlers: ForwardHandlers = {};
  if (options.local ?? true) {
    handlers.directTcpip = async (request) => {
      try {
        const socket = await connectTcp(request.host, request.port);
        trace(
          `direct-tcpip: connected to ${request.host} port ${request.port} for ${request.originatorAddress} port ${request.originatorPort}`,
        );
        return socket;
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        trace(`direct-tcpip: connect to ${request.host} port ${request.port} failed: ${why}`);
        return { reason: ChannelOpenFailureReason.CONNECT_FAILED, description: "Connect failed" };
      }
    };
  }
  if (options.remote ?? true) {
    handlers.tcpipForward = async (request) => {
      const gateway = options.gatewayPorts ?? "clientspecified";
      const host = gateway === "no"
        ? "127.0.0.1"
        : gateway === "yes"
        ? "0.0.0.0"
        : forwardBindAddress(request.address);
      let listener;
      try {
        listener = await listenTcp(host, request.port);
      } catch (e) {
        trace(
          `tcpip-forward: cannot listen on ${host} port ${request.port}: ${(e as Error).message}`,
        );
        return false;
      }
      (async () => {
        for await (const socket of listener) {
          trace(
            `tcpip-forward: connection on ${host} port ${listener.port} from ${socket.remoteAddress} port ${socket.remotePort}`,
          );
          request.forward(socket, socket.remoteAddress, socket.remotePort).catch((e) =>
            trace(`tcpip-forward: client refused the connection: ${(e as Error).message}`)
          );
        }
      })().catch(() => {});
      return { port: listener.port, close: () => listener.close() };
    };
  }
  return handlers;
}
