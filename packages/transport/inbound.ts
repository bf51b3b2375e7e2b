/**
 * The receive side of the transport: the loop that reads the peer's packets, and the dispatch
 * that routes each decoded message by the connection's state — the transport's own messages
 * (DISCONNECT, IGNORE, DEBUG, UNIMPLEMENTED, SERVICE_REQUEST/ACCEPT, EXT_INFO, PING/PONG) handled
 * here, KEXINIT, NEWKEYS and the method's messages to the key exchange, the rest up to
 * authentication and the connection layer. It reaches the connection only through its
 * {@linkcode InboundContext}.
 * @module
 */
import { decodeMessage, DisconnectReason, encodeMessage } from "@hush/wire";
import type { KexInit, Message, Packet } from "@hush/wire";
import { DisconnectError } from "./errors.ts";
import { nameList } from "./ext_info.ts";
import { KEX_METHOD_TYPES, type KexRound } from "./kex_round.ts";
import { MessageGate } from "./message_gate.ts";
import { CONTROL_BACKLOG_LIMIT, type Outbound } from "./outbound.ts";
import { Phase, type PhaseName } from "./state.ts";

/** What the receive side reads from and does to its connection. */
export interface InboundContext {
  /** Which end we are. */
  readonly role: "client" | "server";
  /** Where the connection is; SERVICE_REQUEST/ACCEPT and the client's USERAUTH_SUCCESS move it. */
  phase: PhaseName;
  /** Strict kex is on. */
  readonly strict: boolean;
  /** Completed key exchanges. */
  readonly kexCount: number;
  /** The running key exchange round, ours or the peer's. */
  readonly kex: KexRound | undefined;
  /** Extensions the peer announced in EXT_INFO, by name; filled here. */
  readonly peerExtensions: Map<string, Uint8Array>;
  /** Client: the server's EXT_INFO announced `server-sig-algs`. */
  serverSigAlgsReceived(algs: string[]): void;
  /** Where the replies go (written without waiting) and whose backlog pauses the loop. */
  readonly out: Outbound;
  /** The trace hook. */
  readonly trace: (line: string) => void;
  /** Hands a message to the layers above; resolves once they have room for more. */
  deliver(message: Message): Promise<void>;
  /** Starts a key exchange round (our KEXINIT) unless one runs; returns the running round. */
  beginKex(): KexRound;
  /** The peer's NEWKEYS ended the round: the connection takes on its keys and algorithms. */
  kexDone(round: KexRound): void;
  /** Starts a rekey once the traffic since the last one reached the limit. */
  checkRekey(): void;
  /** Closes the connection without a DISCONNECT of ours (the peer sent one). */
  close(error: DisconnectError | undefined): Promise<void>;
  /** Ends the connection for an error, telling the peer why unless the peer is gone. */
  fail(e: unknown): Promise<void>;
}

/**
 * Reads the peer's packets and dispatches every message, checked by the
 * {@linkcode MessageGate} first; also keeps the callers waiting for a PONG or a SERVICE_ACCEPT.
 *
 * @example
 * ```ts ignore
 * const inbound = new Inbound(context);
 * inbound.run(packetReader.readable); // until the connection closes
 * const pong = inbound.expectPong(); // settles with the PONG's data
 * ```
 */
export class Inbound {
  #ctx: InboundContext;
  #gate = new MessageGate();
  #peerInKex = false;
  #pings: { resolve: (data: Uint8Array) => void; reject: (e: unknown) => void }[] = [];
  #serviceWaiter?: { name: string; resolve: () => void; reject: (e: unknown) => void };

  /** A receive side for the connection behind `ctx`. */
  constructor(ctx: InboundContext) {
    this.#ctx = ctx;
  }

  /** A service was requested and its SERVICE_ACCEPT has not arrived yet. */
  get serviceRequested(): boolean {
    return this.#serviceWaiter !== undefined;
  }

  /** Settles with the data of the peer's next PONG not yet claimed. */
  expectPong(): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => this.#pings.push({ resolve, reject }));
  }

  /** Settles when the peer accepts the service `name`. */
  expectServiceAccept(name: string): Promise<void> {
    return new Promise<void>((
      resolve,
      reject,
    ) => (this.#serviceWaiter = { name, resolve, reject }));
  }

  /** The connection closed: every waiting caller hears `error`. */
  rejectWaiters(error: DisconnectError): void {
    for (const p of this.#pings.splice(0)) p.reject(error);
    this.#serviceWaiter?.reject(error);
  }

  /** Reads and dispatches the peer's packets until the connection closes. */
  async run(packets: ReadableStream<Packet>): Promise<void> {
    const ctx = this.#ctx;
    const reader = packets.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          if (ctx.phase !== Phase.CLOSED) {
            await ctx.fail(
              new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection closed by peer"),
            );
          }
          return;
        }
        await this.#onPacket(value);
        if (ctx.phase === Phase.CLOSED) return;
        // a peer that sends but does not read: stop reading it until it takes our replies
        if (ctx.out.controlBacklog > CONTROL_BACKLOG_LIMIT) await ctx.out.lastControlWrite;
      }
    } catch (e) {
      await ctx.fail(e);
    } finally {
      reader.releaseLock();
    }
  }

  async #onPacket(packet: Packet): Promise<void> {
    const ctx = this.#ctx;
    const msg = decodeMessage(packet.payload, ctx.kex?.exchange?.decodeContext ?? {});
    this.#gate.admit(msg.type, {
      phase: ctx.phase,
      role: ctx.role,
      peerInKex: this.#peerInKex,
      strictInitial: ctx.strict && ctx.kexCount === 0,
    });
    switch (msg.type) {
      case "disconnect": {
        const clean = msg.reason === DisconnectReason.BY_APPLICATION;
        ctx.trace(`Received disconnect: ${msg.reason}: ${msg.description}`);
        await ctx.close(
          clean ? undefined : new DisconnectError(msg.reason, msg.description, { fromPeer: true }),
        );
        return;
      }
      case "ignore":
        return;
      case "debug":
        ctx.trace(`Remote debug message: ${msg.message}`);
        return;
      case "unimplemented":
        ctx.trace(`Peer did not implement our packet ${msg.sequence}`);
        return;
      case "kexInit":
        return await this.#onKexInit(msg, packet);
      case "newKeys":
        return this.#onNewKeys();
      case "extInfo":
        return this.#onExtInfo(msg.extensions);
      case "ping":
        // OpenSSH answers only after authentication and never during a key exchange
        if (ctx.phase === Phase.CONNECTION && !ctx.kex) {
          ctx.out.writeControl(encodeMessage({ type: "pong", data: msg.data }));
        } else {
          ctx.trace("Not answering PING before authentication or during key exchange");
        }
        return;
      case "pong": {
        const waiter = this.#pings.shift();
        waiter?.resolve(msg.data.slice());
        return;
      }
      case "serviceRequest":
        if (msg.service !== "ssh-userauth") {
          throw new DisconnectError(
            DisconnectReason.SERVICE_NOT_AVAILABLE,
            `Service ${msg.service} is not available`,
          );
        }
        ctx.phase = Phase.AUTH;
        ctx.trace(`SSH2_MSG_SERVICE_REQUEST received (${msg.service})`);
        ctx.out.writeControl(encodeMessage({ type: "serviceAccept", service: msg.service }));
        return;
      case "serviceAccept": {
        const w = this.#serviceWaiter;
        if (!w || w.name !== msg.service) {
          throw new DisconnectError(
            DisconnectReason.PROTOCOL_ERROR,
            `SERVICE_ACCEPT for ${msg.service} not requested`,
          );
        }
        this.#serviceWaiter = undefined;
        ctx.phase = Phase.AUTH;
        w.resolve();
        return;
      }
      case "userauthRequest":
        if (ctx.phase === Phase.CONNECTION) {
          ctx.trace("Ignoring USERAUTH_REQUEST after authentication succeeded");
          return;
        }
        break;
      case "unknown":
        if (
          ctx.phase === Phase.AUTH && !this.#peerInKex && msg.number >= 60 && msg.number <= 79
        ) break;
        ctx.trace(`Unknown message ${msg.number}: SSH2_MSG_UNIMPLEMENTED sent`);
        ctx.out.writeControl(encodeMessage({ type: "unimplemented", sequence: packet.sequence }));
        return;
      default:
        if (KEX_METHOD_TYPES.has(msg.type)) {
          const kex = ctx.kex;
          if (!kex) {
            throw new DisconnectError(
              DisconnectReason.PROTOCOL_ERROR,
              `${msg.type} before KEXINIT`,
            );
          }
          return await kex.onKexMessage(msg);
        }
        break;
    }
    if (msg.type === "userauthSuccess" && ctx.role === "client") {
      ctx.phase = Phase.CONNECTION;
      ctx.trace("Authentication succeeded");
    }
    await ctx.deliver(msg);
    ctx.checkRekey();
  }

  #onExtInfo(extensions: { name: string; value: Uint8Array }[]): void {
    const ctx = this.#ctx;
    if (ctx.phase === Phase.AUTH) this.#gate.authExtInfoReceived();
    for (const e of extensions) ctx.peerExtensions.set(e.name, e.value.slice());
    const algs = ctx.peerExtensions.get("server-sig-algs");
    const serverSigAlgs = ctx.role === "client" && algs ? nameList(algs) : undefined;
    if (serverSigAlgs) ctx.serverSigAlgsReceived(serverSigAlgs);
    ctx.trace(`SSH2_MSG_EXT_INFO received: ${extensions.map((e) => e.name).join(", ")}`);
    if (serverSigAlgs) ctx.trace(`kex_ext_info: server-sig-algs=<${serverSigAlgs.join(",")}>`);
  }

  #onKexInit(peers: KexInit, packet: Packet): Promise<void> {
    const kex = this.#ctx.beginKex();
    this.#peerInKex = true;
    return kex.onKexInit(peers, packet);
  }

  #onNewKeys(): void {
    const kex = this.#ctx.kex;
    if (!kex?.result) {
      throw new DisconnectError(
        DisconnectReason.PROTOCOL_ERROR,
        "NEWKEYS before the key exchange finished",
      );
    }
    this.#peerInKex = false;
    this.#ctx.trace("SSH2_MSG_NEWKEYS received");
    if (kex.first) this.#gate.firstNewKeysReceived();
    this.#ctx.kexDone(kex);
  }
}
