/**
 * The SSH transport (RFC 4253): version exchange, key exchange and rekeying, NEWKEYS switching,
 * service requests, EXT_INFO, and a message port for the layers above.
 * @module
 */
import { createOpener, createSealer, isAead, keyLengths } from "@hush/cipher";
import {
  createClientExchange,
  createKexInit,
  createServerExchange,
  deriveKeys,
  type KexExchange,
  type KexResult,
  negotiate,
  type Negotiated,
} from "@hush/kex";
import {
  decodeMessage,
  DisconnectReason,
  encodeMessage,
  type KexInit,
  type Message,
  type MessageConn,
  type Packet,
  PacketReader,
  PacketWriter,
  randomBytes,
} from "@hush/wire";
import { fingerprintOf } from "@hush/keys";
import { resolvePreferences } from "./algorithms.ts";
import { DisconnectError, disconnectFor } from "./errors.ts";
import { MessageQueue } from "./message_queue.ts";
import type { ByteDuplex, TransportOptions, TransportTimers } from "./options.ts";
import { allowedMessage, Phase, type PhaseName } from "./state.ts";
import { readPeerVersion, writeVersionLine } from "./version_exchange.ts";

/** Default rekey volume: 1 GiB each way (OpenSSH's default depends on the cipher; this is its upper bound). */
export const DEFAULT_REKEY_BYTES = 1 << 30;
/** Default rekey interval: one hour. */
export const DEFAULT_REKEY_INTERVAL = 3_600_000;
/** Default limit on the first key exchange, from the first byte. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 120_000;
/**
 * Default bound on application payload bytes the transport holds while a key exchange runs
 * (`heldBytesLimit`): 4 MiB. A `send()` past it waits, unencoded, until the exchange is over.
 */
export const DEFAULT_HELD_BYTES_LIMIT = 4 * 1024 * 1024;
/**
 * Replies the receive loop writes without waiting (kex messages, PONG, UNIMPLEMENTED, SERVICE
 * ACCEPT): once this many bytes of them are not yet taken by the byte stream, the receive loop
 * stops reading until they are, so a peer that sends but never reads cannot grow our memory.
 */
export const CONTROL_BACKLOG_LIMIT = 256 * 1024;
/** Longest time a clean `disconnect()` waits for a running key exchange before it gives up. */
export const CLOSE_FLUSH_TIMEOUT = 5_000;

interface KexRound {
  first: boolean;
  ours: KexInit;
  oursPayload: Uint8Array;
  peers?: KexInit;
  peersPayload?: Uint8Array;
  negotiated?: Negotiated;
  exchange?: KexExchange;
  result?: KexResult;
  ignoreNextKexPacket: boolean;
  weSentNewKeys: boolean;
}

interface Held {
  /** Set while the message waits past the held-bytes bound, unencoded. */
  message?: Message;
  /** The encoded payload, counted in the held bytes. */
  payload?: Uint8Array;
  resolve: () => void;
  reject: (e: unknown) => void;
}

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
  #prefs: ReturnType<typeof resolvePreferences>;
  #random: (n: number) => Uint8Array;
  #trace: (line: string) => void;
  #timers: TransportTimers;
  #reader = new PacketReader();
  #packetWriter: PacketWriter;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #upstream = new MessageQueue();
  #phase: PhaseName = Phase.INITIAL_KEX;
  #kex?: KexRound;
  #kexDone?: Deferred;
  #peerInKex = false;
  #strict = false;
  #firstPacket = true;
  #justAfterFirstNewKeys = false;
  #afterAuthExtInfo = false;
  #held: Held[] = [];
  #heldBytes = 0;
  #heldLimit: number;
  #controlBacklog = 0;
  #lastControlWrite: Promise<void> = Promise.resolve();
  #pings: { resolve: (data: Uint8Array) => void; reject: (e: unknown) => void }[] = [];
  #serviceWaiter?: { name: string; resolve: () => void; reject: (e: unknown) => void };
  #firstKex: Deferred = deferred();
  #closedResolve!: (e: DisconnectError | undefined) => void;
  #error?: DisconnectError;
  #duplex: ByteDuplex;
  #rekeyBaseIn = 0;
  #rekeyBaseOut = 0;
  #rekeyTimer?: unknown;

  /** Use {@linkcode startTransport}. */
  constructor(duplex: ByteDuplex, options: TransportOptions) {
    this.role = options.role;
    this.#options = options;
    this.#duplex = duplex;
    this.#random = options.random ?? randomBytes;
    this.#trace = options.trace ?? (() => {});
    this.#timers = options.timers ?? REAL_TIMERS;
    this.#heldLimit = options.heldBytesLimit ?? DEFAULT_HELD_BYTES_LIMIT;
    this.#prefs = resolvePreferences(options);
    this.ourVersion = `SSH-2.0-${options.softwareVersion ?? "Hush_0.1.0"}`;
    this.#packetWriter = new PacketWriter({ random: this.#random });
    this.#writer = this.#packetWriter.writable.getWriter();
    this.messages = this.#upstream.readable;
    this.closed = new Promise((r) => (this.#closedResolve = r));
    this.#firstKex.promise.catch(() => {});
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
    return this.#heldBytes;
  }

  /** Application messages held until the running key exchange ends, encoded or waiting. */
  get heldMessages(): number {
    return this.#held.length;
  }

  /** Bytes received and sent since the start (packet bytes on the wire). */
  get bytes(): { in: number; out: number } {
    return { in: this.#reader.bytesIn, out: this.#packetWriter.bytesOut };
  }

  /** Runs the version exchange and the first key exchange. */
  async start(): Promise<void> {
    const timeout = this.#options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    const timer = this.#timers.setTimeout(
      () =>
        this.#fail(
          new DisconnectError(
            DisconnectReason.CONNECTION_LOST,
            `Key exchange timed out after ${timeout} ms`,
          ),
        ),
      timeout,
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
          this.#receiveLoop();
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
      this.#timers.clearTimeout(timer);
    }
    this.#scheduleTimedRekey();
  }

  /** Client: asks for a service (`ssh-userauth`) and waits for SERVICE_ACCEPT. */
  async requestService(name: string): Promise<void> {
    if (this.role !== "client") throw new TypeError("Only a client requests services");
    if (this.#serviceWaiter || this.#phase !== Phase.SERVICE) {
      throw new TypeError("A service can be requested once, right after the key exchange");
    }
    const done = new Promise<void>((
      resolve,
      reject,
    ) => (this.#serviceWaiter = { name, resolve, reject }));
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
      await new Promise<void>((resolve, reject) => this.#hold(message, resolve, reject));
      return;
    }
    try {
      await this.#writer.write(encodeMessage(message));
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
    const pong = new Promise<Uint8Array>((resolve, reject) =>
      this.#pings.push({ resolve, reject })
    );
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
    if (clean && this.#kex && this.#held.length > 0 && this.kexCount > 0) {
      const kexDone = this.#kexDone!.promise;
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
    return (this.#kex !== undefined && !this.#kex.weSentNewKeys) || this.#held.length > 0;
  }

  #hold(message: Message, resolve: () => void, reject: (e: unknown) => void): void {
    const waiting = this.#held.length > 0 && this.#held[this.#held.length - 1].message;
    if (!waiting) {
      const payload = encodeMessage(message);
      if (this.#heldBytes + payload.length <= this.#heldLimit) {
        this.#heldBytes += payload.length;
        this.#held.push({ payload, resolve, reject });
        return;
      }
    }
    this.#held.push({ message, resolve, reject });
  }

  /** Writes a reply from the receive loop without waiting for the byte stream to take it. */
  #writeControl(payload: Uint8Array): void {
    this.#controlBacklog += payload.length;
    const written = this.#writer.write(payload).then(
      () => {
        this.#controlBacklog -= payload.length;
      },
      (e) => {
        this.#fail(
          new DisconnectError(DisconnectReason.CONNECTION_LOST, "Write failed", { cause: e }),
        );
      },
    );
    this.#lastControlWrite = written;
  }

  async #receiveLoop(): Promise<void> {
    const reader = this.#reader.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          if (this.#phase !== Phase.CLOSED) {
            await this.#fail(
              new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection closed by peer"),
            );
          }
          return;
        }
        await this.#onPacket(value);
        if (this.#phase === Phase.CLOSED) return;
        // a peer that sends but does not read: stop reading it until it takes our replies
        if (this.#controlBacklog > CONTROL_BACKLOG_LIMIT) await this.#lastControlWrite;
      }
    } catch (e) {
      await this.#fail(e);
    } finally {
      reader.releaseLock();
    }
  }

  async #onPacket(packet: Packet): Promise<void> {
    const msg = decodeMessage(packet.payload, this.#kex?.exchange?.decodeContext ?? {});
    const firstPacket = this.#firstPacket;
    // The first packet must be KEXINIT: always under strict kex (which we always offer first;
    // whether the peer did shows in its KEXINIT, checked there by its sequence number), and
    // nothing but IGNORE or DEBUG may come before it without.
    if (firstPacket && msg.type !== "kexInit" && msg.type !== "disconnect") {
      if (msg.type !== "ignore" && msg.type !== "debug") {
        throw new DisconnectError(
          DisconnectReason.PROTOCOL_ERROR,
          `Expected KEXINIT, got ${msg.type}`,
        );
      }
    }
    const verdict = allowedMessage(msg.type, {
      phase: this.#phase,
      role: this.role,
      peerInKex: this.#peerInKex,
      strictInitial: this.#strict && this.kexCount === 0,
      firstPacket,
      justAfterFirstNewKeys: this.#justAfterFirstNewKeys,
      afterAuthExtInfo: this.#afterAuthExtInfo,
    });
    this.#firstPacket = false;
    this.#justAfterFirstNewKeys = false;
    this.#afterAuthExtInfo = false;
    if (verdict) {
      throw new DisconnectError(
        DisconnectReason.PROTOCOL_ERROR,
        verdict[0].toUpperCase() + verdict.slice(1),
      );
    }
    switch (msg.type) {
      case "disconnect": {
        const clean = msg.reason === DisconnectReason.BY_APPLICATION;
        this.#trace(`Received disconnect: ${msg.reason}: ${msg.description}`);
        await this.#close(
          clean ? undefined : new DisconnectError(msg.reason, msg.description, { fromPeer: true }),
        );
        return;
      }
      case "ignore":
        return;
      case "debug":
        this.#trace(`Remote debug message: ${msg.message}`);
        return;
      case "unimplemented":
        this.#trace(`Peer did not implement our packet ${msg.sequence}`);
        return;
      case "kexInit":
        return await this.#onKexInit(msg, packet);
      case "newKeys":
        return this.#onNewKeys();
      case "extInfo":
        return this.#onExtInfo(msg.extensions);
      case "ping":
        // OpenSSH answers only after authentication and never during a key exchange
        if (this.#phase === Phase.CONNECTION && !this.#kex) {
          this.#writeControl(encodeMessage({ type: "pong", data: msg.data }));
        } else {
          this.#trace("Not answering PING before authentication or during key exchange");
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
        this.#phase = Phase.AUTH;
        this.#trace(`SSH2_MSG_SERVICE_REQUEST received (${msg.service})`);
        this.#writeControl(encodeMessage({ type: "serviceAccept", service: msg.service }));
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
        this.#phase = Phase.AUTH;
        w.resolve();
        return;
      }
      case "userauthRequest":
        if (this.#phase === Phase.CONNECTION) {
          this.#trace("Ignoring USERAUTH_REQUEST after authentication succeeded");
          return;
        }
        break;
      case "unknown":
        if (
          this.#phase === Phase.AUTH && !this.#peerInKex && msg.number >= 60 && msg.number <= 79
        ) break;
        this.#trace(`Unknown message ${msg.number}: SSH2_MSG_UNIMPLEMENTED sent`);
        this.#writeControl(encodeMessage({ type: "unimplemented", sequence: packet.sequence }));
        return;
      default:
        if (KEX_METHOD_TYPES.has(msg.type)) return await this.#onKexMessage(msg);
        break;
    }
    if (msg.type === "userauthSuccess" && this.role === "client") {
      this.#phase = Phase.CONNECTION;
      this.#trace("Authentication succeeded");
    }
    await this.#upstream.push(msg);
    this.#checkRekey();
  }

  #onExtInfo(extensions: { name: string; value: Uint8Array }[]): void {
    if (this.#phase === Phase.AUTH) this.#afterAuthExtInfo = true;
    for (const e of extensions) this.peerExtensions.set(e.name, e.value.slice());
    const algs = this.peerExtensions.get("server-sig-algs");
    if (this.role === "client" && algs) {
      this.serverSigAlgs = new TextDecoder().decode(algs).split(",").filter((s) => s);
    }
    this.#trace(`SSH2_MSG_EXT_INFO received: ${extensions.map((e) => e.name).join(", ")}`);
    if (this.role === "client" && algs) {
      this.#trace(`kex_ext_info: server-sig-algs=<${this.serverSigAlgs?.join(",") ?? ""}>`);
    }
  }

  #beginKex(): void {
    if (this.#kex) return;
    const first = this.sessionId === undefined;
    const ours = createKexInit(this.#prefs, { role: this.role, first, random: this.#random });
    const oursPayload = encodeMessage(ours);
    this.#kex = { first, ours, oursPayload, ignoreNextKexPacket: false, weSentNewKeys: false };
    this.#kexDone = deferred();
    this.#kexDone.promise.catch(() => {});
    this.#trace(first ? "SSH2_MSG_KEXINIT sent" : "Rekeying: SSH2_MSG_KEXINIT sent");
    this.#writeControl(oursPayload);
  }

  async #onKexInit(peers: KexInit, packet: Packet): Promise<void> {
    if (!this.#kex) this.#beginKex();
    const kex = this.#kex!;
    this.#peerInKex = true;
    kex.peers = peers;
    kex.peersPayload = packet.payload;
    this.#trace("SSH2_MSG_KEXINIT received");
    const client = this.role === "client" ? kex.ours : peers;
    const server = this.role === "client" ? peers : kex.ours;
    if (kex.first) {
      this.#trace(`peer offered kex: ${peers.kexAlgorithms.join(",")}`);
      this.#trace(`peer offered host key algorithms: ${peers.serverHostKeyAlgorithms.join(",")}`);
      this.#trace(`peer offered ciphers: ${peers.encryptionClientToServer.join(",")}`);
    }
    const n = negotiate(client, server, { isAead, first: kex.first });
    kex.negotiated = n;
    if (kex.first) {
      this.#strict = n.strictKex;
      if (this.#strict && packet.sequence !== 0) {
        throw new DisconnectError(
          DisconnectReason.PROTOCOL_ERROR,
          "Strict kex: KEXINIT was not the first packet",
        );
      }
    }
    this.#trace(`kex: algorithm: ${n.kex}`);
    this.#trace(`kex: host key algorithm: ${n.hostKey}`);
    this.#trace(
      `kex: server->client cipher: ${n.cipherServerToClient} MAC: ${
        n.macServerToClient ?? "<implicit>"
      } compression: ${n.compressionServerToClient}`,
    );
    this.#trace(
      `kex: client->server cipher: ${n.cipherClientToServer} MAC: ${
        n.macClientToServer ?? "<implicit>"
      } compression: ${n.compressionClientToServer}`,
    );
    if (kex.first && this.#strict) this.#trace("kex: strict key exchange enabled");
    if (peers.firstKexPacketFollows && n.guessWrong) kex.ignoreNextKexPacket = true;
    const inputs = {
      clientVersion: this.role === "client" ? this.ourVersion : this.peerVersion,
      serverVersion: this.role === "client" ? this.peerVersion : this.ourVersion,
      clientKexInit: this.role === "client" ? kex.oursPayload : packet.payload,
      serverKexInit: this.role === "client" ? packet.payload : kex.oursPayload,
      hostKeyAlgorithm: n.hostKey,
      random: this.#random,
    };
    if (this.role === "client") {
      kex.exchange = createClientExchange(n.kex, inputs);
    } else {
      const hostKey = this.#prefs.hostKeyFor(n.hostKey);
      kex.exchange = createServerExchange(n.kex, { ...inputs, hostKey });
    }
    for (const m of await kex.exchange.start()) this.#writeControl(encodeMessage(m));
  }

  async #onKexMessage(msg: Message): Promise<void> {
    const kex = this.#kex;
    if (!kex?.exchange) {
      throw new DisconnectError(DisconnectReason.PROTOCOL_ERROR, `${msg.type} before KEXINIT`);
    }
    if (kex.ignoreNextKexPacket) {
      kex.ignoreNextKexPacket = false;
      this.#trace("Ignoring the peer's wrongly guessed kex packet");
      return;
    }
    if (kex.result) {
      throw new DisconnectError(
        DisconnectReason.PROTOCOL_ERROR,
        `${msg.type} after the exchange finished`,
      );
    }
    const { reply, result } = await kex.exchange.receive(msg);
    for (const m of reply) this.#writeControl(encodeMessage(m));
    if (result) await this.#finishExchange(kex, result);
  }

  async #finishExchange(kex: KexRound, result: KexResult): Promise<void> {
    kex.result = result;
    const n = kex.negotiated!;
    if (this.role === "client") {
      if (kex.first || !this.hostKey || !equalBytes(this.hostKey, result.hostKey)) {
        let fingerprint = "";
        try {
          fingerprint = fingerprintOf(result.hostKey);
        } catch { /* verifyHostKey decides */ }
        this.#trace(`Server host key: ${n.hostKey} ${fingerprint}`);
        try {
          await this.#options.verifyHostKey?.({ hostKey: result.hostKey, algorithm: n.hostKey });
        } catch (e) {
          throw new DisconnectError(
            DisconnectReason.HOST_KEY_NOT_VERIFIABLE,
            e instanceof Error ? e.message : "Host key verification failed",
            { cause: e },
          );
        }
      }
    }
    this.hostKey = result.hostKey;
    this.sessionId ??= result.exchangeHash.slice();
    const c2s = keyLengths(n.cipherClientToServer, n.macClientToServer);
    const s2c = keyLengths(n.cipherServerToClient, n.macServerToClient);
    const keys = deriveKeys(result, this.sessionId, {
      ivClientToServer: c2s.ivLength,
      keyClientToServer: c2s.keyLength,
      macKeyClientToServer: c2s.macKeyLength,
      ivServerToClient: s2c.ivLength,
      keyServerToClient: s2c.keyLength,
      macKeyServerToClient: s2c.macKeyLength,
    });
    const client = this.role === "client";
    const outKeys = client ? keys.clientToServer : keys.serverToClient;
    const inKeys = client ? keys.serverToClient : keys.clientToServer;
    const sealer = client
      ? createSealer(n.cipherClientToServer, n.macClientToServer, outKeys, { random: this.#random })
      : createSealer(n.cipherServerToClient, n.macServerToClient, outKeys, {
        random: this.#random,
      });
    const opener = client
      ? createOpener(n.cipherServerToClient, n.macServerToClient, inKeys)
      : createOpener(n.cipherClientToServer, n.macClientToServer, inKeys);
    for (const k of [keys.clientToServer, keys.serverToClient]) {
      k.iv.fill(0);
      k.key.fill(0);
      k.macKey.fill(0);
    }
    result.sharedSecret.fill(0);
    this.#reader.nextOpener(opener, { resetSequence: this.#strict });
    this.#packetWriter.nextSealer(sealer, { resetSequence: this.#strict });
    this.#writeControl(encodeMessage({ type: "newKeys" }));
    kex.weSentNewKeys = true;
    this.#trace("SSH2_MSG_NEWKEYS sent");
    if (kex.first && !client && n.clientWantsExtInfo) {
      const algs = this.#prefs.serverSigAlgs;
      this.#writeControl(encodeMessage({
        type: "extInfo",
        extensions: [
          { name: "server-sig-algs", value: new TextEncoder().encode(algs.join(",")) },
          { name: "ping@openssh.com", value: new TextEncoder().encode("0") },
        ],
      }));
      this.#trace("SSH2_MSG_EXT_INFO sent: server-sig-algs, ping@openssh.com");
    }
    this.#flushHeld();
  }

  #onNewKeys(): void {
    const kex = this.#kex;
    if (!kex?.result) {
      throw new DisconnectError(
        DisconnectReason.PROTOCOL_ERROR,
        "NEWKEYS before the key exchange finished",
      );
    }
    this.#peerInKex = false;
    this.#trace("SSH2_MSG_NEWKEYS received");
    this.negotiated = kex.negotiated;
    this.kexCount++;
    this.#kex = undefined;
    this.#rekeyBaseIn = this.#reader.bytesIn;
    this.#rekeyBaseOut = this.#packetWriter.bytesOut;
    this.#kexDone?.resolve();
    if (kex.first) {
      this.#justAfterFirstNewKeys = true;
      this.#phase = Phase.SERVICE;
      this.#trace("Key exchange done");
      this.#firstKex.resolve();
    } else {
      this.#trace(`Rekey done (key exchange ${this.kexCount})`);
      this.#scheduleTimedRekey();
    }
  }

  /** Hands every held message to the byte stream, in order, without waiting for it. */
  #flushHeld(): void {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    for (const h of held) {
      const payload = h.payload ?? encodeMessage(h.message!);
      this.#writer.write(payload).then(h.resolve, h.reject);
    }
  }

  #checkRekey(): void {
    if (this.#kex || this.kexCount === 0 || this.#phase === Phase.CLOSED) return;
    const limit = this.#options.rekeyBytes ?? DEFAULT_REKEY_BYTES;
    if (
      this.#reader.bytesIn - this.#rekeyBaseIn >= limit ||
      this.#packetWriter.bytesOut - this.#rekeyBaseOut >= limit
    ) {
      this.rekey();
    }
  }

  #scheduleTimedRekey(): void {
    this.#timers.clearTimeout(this.#rekeyTimer);
    this.#rekeyTimer = undefined;
    const interval = this.#options.rekeyInterval ?? DEFAULT_REKEY_INTERVAL;
    if (!Number.isFinite(interval) || interval <= 0 || this.#phase === Phase.CLOSED) return;
    this.#rekeyTimer = this.#timers.setTimeout(() => {
      this.#trace(`Rekeying after ${interval} ms`);
      this.rekey();
    }, interval);
    // never keep a process alive just for a rekey timer
    (this.#rekeyTimer as { unref?: () => void } | undefined)?.unref?.();
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
    this.#timers.clearTimeout(this.#rekeyTimer);
    const gone = error ??
      new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection closed");
    for (const h of this.#held.splice(0)) h.reject(gone);
    this.#heldBytes = 0;
    for (const p of this.#pings.splice(0)) p.reject(gone);
    this.#serviceWaiter?.reject(gone);
    this.#firstKex.reject(gone);
    this.#kexDone?.reject(gone);
    this.#upstream.close(error);
    if (send) {
      // queued behind everything written so far, so that it all reaches the peer first
      this.#writer.write(encodeMessage({ type: "disconnect", ...send, language: "" }))
        .catch(() => {});
    }
    try {
      let timer: unknown;
      await Promise.race([
        this.#writer.close(),
        new Promise((r) => (timer = this.#timers.setTimeout(() => r(undefined), 1000))),
      ]);
      this.#timers.clearTimeout(timer);
    } catch { /* already errored */ }
    this.#reader.readable.cancel().catch(() => {});
    this.#duplex.readable.cancel?.().catch(() => {});
    this.#closedResolve(error);
  }
}

const KEX_METHOD_TYPES: ReadonlySet<string> = new Set([
  "kexEcdhInit",
  "kexEcdhReply",
  "kexDhInit",
  "kexDhReply",
  "kexDhGexRequestOld",
  "kexDhGexRequest",
  "kexDhGexGroup",
  "kexDhGexInit",
  "kexDhGexReply",
]);

/** A promise with its settle functions (`Promise.withResolvers` is not in Node 20). */
interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Starts an SSH transport over a byte duplex: version exchange and the first key exchange.
 * Resolves once keys are in place; the client then calls `requestService("ssh-userauth")`.
 *
 * @example
 * ```ts
 * import { generateKey } from "@hush/keys";
 * import { startTransport } from "@hush/transport";
 * import { memoryDuplexPair } from "@hush/transport/testing";
 * const [a, b] = memoryDuplexPair();
 * const hostKey = await generateKey("ssh-ed25519");
 * const [client, server] = await Promise.all([
 *   startTransport(a, { role: "client", verifyHostKey: ({ algorithm }) => console.log(algorithm) }),
 *   startTransport(b, { role: "server", hostKeys: [hostKey] }),
 * ]); // ssh-ed25519
 * console.log(client.sessionId?.length === server.sessionId?.length); // true
 * await client.disconnect();
 * ```
 */
export async function startTransport(
  duplex: ByteDuplex,
  options: TransportOptions,
): Promise<Transport> {
  const t = new Transport(duplex, options);
  await t.start();
  return t;
}
