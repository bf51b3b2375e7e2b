/**
 * The SSH transport (RFC 4253): the connection's state and its public face — start-up (version
 * exchange, first key exchange), sending, service requests, ping, key exchange rounds and
 * rekeying, NEWKEYS switching, and closing. What arrives from the peer is dispatched by
 * `inbound.ts`; the key exchange itself runs in `kex_round.ts`.
 * @module
 */
import {
  DisconnectReason,
  encodeMessage,
  type Message,
  type MessageConn,
  type PacketOpener,
  PacketReader,
  type PacketSealer,
  PacketWriter,
  randomBytes,
} from "@hush/wire";
import type { Negotiated } from "@hush/kex";
import { type ResolvedPreferences, resolvePreferences } from "./algorithms.ts";
import { type Deferred, deferred } from "./deferred.ts";
import { DisconnectError, disconnectFor } from "./errors.ts";
import { startHandshakeClock } from "./handshake_timeout.ts";
import { Inbound, type InboundContext } from "./inbound.ts";
import { type KexContext, KexRound } from "./kex_round.ts";
import { MessageQueue } from "./message_queue.ts";
import type { ByteDuplex, TransportOptions, TransportTimers } from "./options.ts";
import { DEFAULT_HELD_BYTES_LIMIT, Outbound } from "./outbound.ts";
import { RekeySchedule } from "./rekey.ts";
import { Phase, type PhaseName } from "./state.ts";
import { readPeerVersion, writeVersionLine } from "./version_exchange.ts";

/** Longest time a clean `disconnect()` waits for a running key exchange before it gives up. */
export const CLOSE_FLUSH_TIMEOUT = 5_000;

const REAL_TIMERS: TransportTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

/**
 * One SSH transport connection, after the first key exchange. It is the {@linkcode MessageConn}
 * that authentication and the connection layer use.
 *
 * The receive loop never waits for its own writes to reach the peer: replies are queued in
 * order behind whatever is being sent (bounded by {@linkcode CONTROL_BACKLOG_LIMIT}), so two
 * ends that both write a lot cannot stall each other. Application messages sent while a key
 * exchange runs are held (at most `heldBytesLimit` bytes encoded, the rest waits unencoded) and
 * go out, in order, right after our NEWKEYS.
 *
 * @example
 * ```ts
 * import { generateKey } from "@hush/keys";
 * import { startTransport, type Transport } from "@hush/transport";
 * import { memoryDuplexPair } from "@hush/transport/testing";
 * const [a, b] = memoryDuplexPair();
 * const [client, server]: Transport[] = await Promise.all([
 *   startTransport(a, { role: "client", verifyHostKey: () => {}, rekeyBytes: 1 << 20 }),
 *   startTransport(b, { role: "server", hostKeys: [await generateKey("ssh-ed25519")] }),
 * ]);
 * client.rekey();
 * await client.requestService("ssh-userauth"); // held during the rekey, sent right after
 * console.log(client.kexCount >= 1, server.phase); // true auth
 * await client.disconnect();
 * ```
 */
export class Transport implements MessageConn {
  /** Which end we are. */
  readonly role: "client" | "server";
  /** Our identification line without CR LF. */
  readonly ourVersion: string;
  /** The peer's identification line without CR LF. */
  peerVersion = "";
  /** H of the first key exchange. */
  sessionId?: Uint8Array;
  /** The algorithms of the latest key exchange. */
  negotiated?: Negotiated;
  /** The server's host key blob (client: as verified). */
  hostKey?: Uint8Array;
  /** Client: `server-sig-algs` from the server's EXT_INFO. */
  serverSigAlgs?: string[];
  /** Extensions the peer announced in EXT_INFO, by name. */
  readonly peerExtensions: Map<string, Uint8Array> = new Map();
  /** Completed key exchanges (1 after the handshake). */
  kexCount = 0;
  /** Messages for the layers above (auth, then the connection protocol). */
  readonly messages: ReadableStream<Message>;
  /** Resolves when the connection ends: with the error, or `undefined` for a clean close. */
  readonly closed: Promise<DisconnectError | undefined>;

  #options: TransportOptions;
  #random: (n: number) => Uint8Array;
  #trace: (line: string) => void;
  #timers: TransportTimers;
  #reader = new PacketReader();
  #packetWriter: PacketWriter;
  #out: Outbound;
  #upstream = new MessageQueue();
  #phase: PhaseName = Phase.INITIAL_KEX;
  #kexContext: KexContext;
  #kex?: KexRound;
  #strict = false;
  #inbound: Inbound;
  #firstKex: Deferred = deferred();
  #closedResolve!: (e: DisconnectError | undefined) => void;
  #error?: DisconnectError;
  #duplex: ByteDuplex;
  #rekeys: RekeySchedule;

  /** Use {@linkcode startTransport}. */
  constructor(duplex: ByteDuplex, options: TransportOptions) {
    this.role = options.role;
    this.#options = options;
    this.#duplex = duplex;
    this.#random = options.random ?? randomBytes;
    this.#trace = options.trace ?? (() => {});
    this.#timers = options.timers ?? REAL_TIMERS;
    this.ourVersion = `SSH-2.0-${options.softwareVersion ?? "Hush_0.1.0"}`;
    this.#packetWriter = new PacketWriter({ random: this.#random });
    this.#out = new Outbound(
      this.#packetWriter.writable.getWriter(),
      options.heldBytesLimit ?? DEFAULT_HELD_BYTES_LIMIT,
      (e) =>
        this.#fail(
          new DisconnectError(DisconnectReason.CONNECTION_LOST, "Write failed", { cause: e }),
        ),
    );
    this.#rekeys = new RekeySchedule(options, this.#timers, this.#trace, () => this.rekey());
    this.#kexContext = this.#createKexContext(resolvePreferences(options));
    this.#inbound = new Inbound(this.#createInboundContext());
    this.messages = this.#upstream.readable;
    this.closed = new Promise((r) => (this.#closedResolve = r));
    this.#firstKex.promise.catch(() => {});
  }

  /** What each key exchange round reads from and does to this connection. */
  #createKexContext(prefs: ResolvedPreferences): KexContext {
    // deno-lint-ignore no-this-alias
    const transport = this;
    return {
      role: this.role,
      ourVersion: this.ourVersion,
      get peerVersion() {
        return transport.peerVersion;
      },
      prefs,
      random: this.#random,
      trace: this.#trace,
      verifyHostKey: (info) => this.#options.verifyHostKey?.(info),
      get sessionId() {
        return transport.sessionId;
      },
      set sessionId(id) {
        transport.sessionId = id;
      },
      get hostKey() {
        return transport.hostKey;
      },
      set hostKey(key) {
        transport.hostKey = key;
      },
      get strict() {
        return transport.#strict;
      },
      set strict(on) {
        transport.#strict = on;
      },
      writeControl: (payload) => this.#out.writeControl(payload),
      switchKeys: (opener: PacketOpener, sealer: PacketSealer) => {
        this.#reader.nextOpener(opener, { resetSequence: this.#strict });
        this.#packetWriter.nextSealer(sealer, { resetSequence: this.#strict });
      },
      flushHeld: () => this.#out.flushHeld(),
    };
  }

  /** What the receive side reads from and does to this connection. */
  #createInboundContext(): InboundContext {
    // deno-lint-ignore no-this-alias
    const transport = this;
    return {
      role: this.role,
      get phase() {
        return transport.#phase;
      },
      set phase(phase) {
        transport.#phase = phase;
      },
      get strict() {
        return transport.#strict;
      },
      get kexCount() {
        return transport.kexCount;
      },
      get kex() {
        return transport.#kex;
      },
      peerExtensions: this.peerExtensions,
      serverSigAlgsReceived: (algs) => (this.serverSigAlgs = algs),
      out: this.#out,
      trace: this.#trace,
      deliver: (message) => this.#upstream.push(message),
      beginKex: () => this.#beginKex(),
      kexDone: (round) => this.#kexDone(round),
      checkRekey: () => this.#checkRekey(),
      close: (error) => this.#close(error),
      fail: (e) => this.#fail(e),
    };
  }

  /** Where the connection is. */
  get phase(): PhaseName {
    return this.#phase;
  }

  /** Strict kex is on (both sides offered it in the first KEXINIT). */
  get strictKex(): boolean {
    return this.#strict;
  }

  /** A key exchange is running (ours or the peer's). */
  get inKex(): boolean {
    return this.#kex !== undefined;
  }

  /** Encoded application bytes held until the running key exchange ends (≤ `heldBytesLimit`). */
  get heldBytes(): number {
    return this.#out.heldBytes;
  }

  /** Application messages held until the running key exchange ends, encoded or waiting. */
  get heldMessages(): number {
    return this.#out.heldMessages;
  }

  /** Bytes received and sent since the start (packet bytes on the wire). */
  get bytes(): { in: number; out: number } {
    return { in: this.#reader.bytesIn, out: this.#packetWriter.bytesOut };
  }

  /** Runs the version exchange and the first key exchange. */
  async start(): Promise<void> {
    const stopClock = startHandshakeClock(
      this.#timers,
      this.#options.handshakeTimeout,
      (e) => this.#fail(e),
    );
    const signal = this.#options.signal;
    const onAbort = () => this.disconnect(DisconnectReason.BY_APPLICATION, "Aborted");
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      // Read the peer's line while ours is written: a duplex without buffering (an in-memory
      // pair) would otherwise block both ends in their first write.
      const reading = readPeerVersion(this.#duplex.readable, this.role).then(
        ({ peerVersion, rest }) => {
          this.peerVersion = peerVersion;
          this.#trace(
            `Remote protocol version 2.0, remote software version ${peerVersion.slice(8)}`,
          );
          rest.pipeTo(this.#reader.writable).catch((e) => this.#fail(e));
          this.#inbound.run(this.#reader.readable);
        },
      );
      reading.catch(() => {});
      this.#trace(`Local version string ${this.ourVersion}`);
      await writeVersionLine(this.#duplex.writable, this.ourVersion);
      this.#packetWriter.readable.pipeTo(this.#duplex.writable).catch((e) =>
        this.#fail(
          new DisconnectError(DisconnectReason.CONNECTION_LOST, "Write failed", { cause: e }),
        )
      );
      // our KEXINIT goes out right behind our version line, before the peer's line arrives
      this.#beginKex();
      // Both at once: a peer that never sends its line leaves `reading` pending, and the
      // handshake timeout (or an abort) must still end start() through #firstKex.
      await Promise.all([reading, this.#firstKex.promise]);
    } catch (e) {
      await this.#fail(e);
      throw this.#error ?? e;
    } finally {
      stopClock();
    }
    this.#scheduleTimedRekey();
  }

  /** Client: asks for a service (`ssh-userauth`) and waits for SERVICE_ACCEPT. */
  async requestService(name: string): Promise<void> {
    if (this.role !== "client") throw new TypeError("Only a client requests services");
    if (this.#inbound.serviceRequested || this.#phase !== Phase.SERVICE) {
      throw new TypeError("A service can be requested once, right after the key exchange");
    }
    const done = this.#inbound.expectServiceAccept(name);
    await this.send({ type: "serviceRequest", service: name });
    this.#trace(`SSH2_MSG_SERVICE_REQUEST sent (${name})`);
    await done;
    this.#trace(`SSH2_MSG_SERVICE_ACCEPT received`);
  }

  /**
   * Sends a message. While a key exchange runs it is held and goes out right after our
   * NEWKEYS; the promise resolves once it has been handed to the byte stream.
   */
  async send(message: Message): Promise<void> {
    if (this.#error || this.#phase === Phase.CLOSED) {
      throw this.#error ??
        new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection is closed");
    }
    if (message.type === "userauthSuccess" && this.role === "server") {
      this.#phase = Phase.CONNECTION;
    }
    if (this.#holding()) {
      await new Promise<void>((resolve, reject) => this.#out.hold(message, resolve, reject));
      return;
    }
    try {
      await this.#out.write(encodeMessage(message));
    } catch (e) {
      throw this.#error ??
        new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection is closed", { cause: e });
    }
    this.#checkRekey();
  }

  /**
   * Sends SSH2_MSG_PING (OpenSSH PROTOCOL, `ping@openssh.com`) and resolves with the PONG's
   * data. Only after authentication, and only when the peer announced the extension.
   */
  async ping(data: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    if (!this.peerExtensions.has("ping@openssh.com")) {
      throw new TypeError("The peer did not announce ping@openssh.com");
    }
    if (this.#phase !== Phase.CONNECTION) {
      throw new TypeError("Ping is only answered after authentication");
    }
    const pong = this.#inbound.expectPong();
    await this.send({ type: "ping", data });
    return await pong;
  }

  /** Starts a key exchange now (no-op while one runs). */
  rekey(): void {
    if (!this.#kex && this.#phase !== Phase.CLOSED && this.kexCount > 0) this.#beginKex();
  }

  /**
   * Sends DISCONNECT and closes the connection. A clean close (`BY_APPLICATION`) first lets
   * a running key exchange finish (up to {@linkcode CLOSE_FLUSH_TIMEOUT}) so that messages sent
   * before it still go out; everything sent before the DISCONNECT reaches the peer before it.
   */
  async disconnect(
    reason: number = DisconnectReason.BY_APPLICATION,
    description = "Closed by application",
  ): Promise<void> {
    if (this.#phase === Phase.CLOSED) return;
    const clean = reason === DisconnectReason.BY_APPLICATION;
    if (clean && this.#kex && this.#out.heldMessages > 0 && this.kexCount > 0) {
      const kexDone = this.#kex.done.promise;
      let timer: unknown;
      await Promise.race([
        kexDone,
        new Promise<void>((r) => (timer = this.#timers.setTimeout(r, CLOSE_FLUSH_TIMEOUT))),
      ]).catch(() => {});
      this.#timers.clearTimeout(timer);
      if (this.phase === Phase.CLOSED) return;
    }
    this.#trace(`Disconnecting: ${description} (reason ${reason})`);
    const error = clean ? undefined : new DisconnectError(reason, description);
    await this.#close(error, { reason, description });
  }

  #holding(): boolean {
    return (this.#kex !== undefined && !this.#kex.weSentNewKeys) || this.#out.heldMessages > 0;
  }

  /** Starts a key exchange round (our KEXINIT) unless one runs; returns the running round. */
  #beginKex(): KexRound {
    this.#kex ??= new KexRound(this.#kexContext);
    return this.#kex;
  }

  /** The peer's NEWKEYS ended `kex`: its keys and algorithms are the connection's now. */
  #kexDone(kex: KexRound): void {
    this.negotiated = kex.negotiated;
    this.kexCount++;
    this.#kex = undefined;
    this.#rekeys.keysChanged(this.#reader.bytesIn, this.#packetWriter.bytesOut);
    kex.done.resolve();
    if (kex.first) {
      this.#phase = Phase.SERVICE;
      this.#trace("Key exchange done");
      this.#firstKex.resolve();
    } else {
      this.#trace(`Rekey done (key exchange ${this.kexCount})`);
      this.#scheduleTimedRekey();
    }
  }

  #checkRekey(): void {
    if (this.#kex || this.kexCount === 0 || this.#phase === Phase.CLOSED) return;
    if (this.#rekeys.volumeReached(this.#reader.bytesIn, this.#packetWriter.bytesOut)) {
      this.rekey();
    }
  }

  #scheduleTimedRekey(): void {
    if (this.#phase === Phase.CLOSED) this.#rekeys.stop();
    else this.#rekeys.startTimer();
  }

  async #fail(e: unknown): Promise<void> {
    if (this.#phase === Phase.CLOSED) return;
    const { reason, description } = disconnectFor(e);
    const error = e instanceof DisconnectError
      ? e
      : new DisconnectError(reason, description, { cause: e });
    const fromPeerOrLost = error.fromPeer || reason === DisconnectReason.CONNECTION_LOST;
    this.#trace(`Disconnecting: ${description}`);
    await this.#close(error, fromPeerOrLost ? undefined : { reason, description });
  }

  async #close(
    error: DisconnectError | undefined,
    send?: { reason: number; description: string },
  ): Promise<void> {
    if (this.#phase === Phase.CLOSED) return;
    this.#phase = Phase.CLOSED;
    this.#error = error;
    this.#rekeys.stop();
    const gone = error ??
      new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection closed");
    this.#out.rejectHeld(gone);
    this.#inbound.rejectWaiters(gone);
    this.#firstKex.reject(gone);
    this.#kex?.done.reject(gone);
    this.#upstream.close(error);
    if (send) {
      // queued behind everything written so far, so that it all reaches the peer first
      this.#out.write(encodeMessage({ type: "disconnect", ...send, language: "" }))
        .catch(() => {});
    }
    await this.#out.close(this.#timers, 1000);
    this.#reader.readable.cancel().catch(() => {});
    this.#duplex.readable.cancel?.().catch(() => {});
    this.#closedResolve(error);
  }
}
