/**
 * The SSH transport (RFC 4253): one connection's state machine and its only owner. It reads the
 * socket itself — the version line, then packets through a deframer straight into the dispatch
 * below, with no stream stage in between — and writes through a batching packet writer. Its
 * phase moves only through the table in `state.ts`; key exchange rounds (`kex_round.ts`) are
 * values it drives, never objects that write into it.
 * @module
 */
import {
  decodeMessage,
  DisconnectReason,
  encodeMessage,
  type KexInit,
  type Message,
  type MessageConn,
  type Packet,
  PacketDeframer,
  PacketWriter,
  randomBytes,
  readVersionFrom,
} from "@hush/wire";
import type { Negotiated } from "@hush/kex";
import { type ResolvedPreferences, resolvePreferences } from "./algorithms.ts";
import {
  type CompressionMethod,
  compressionMethod,
  CompressionStart,
  startsAtNewKeys,
} from "./compression.ts";
import { ZLIB_LEVEL } from "./zlib_compressor.ts";
import { type Deferred, deferred } from "./deferred.ts";
import {
  DISCONNECT_DESCRIPTION_LIMIT,
  DisconnectError,
  disconnectFor,
  quotedName,
} from "./errors.ts";
import { nameList, serverExtInfo } from "./ext_info.ts";
import { startHandshakeClock } from "./handshake_timeout.ts";
import { KEX_METHOD_TYPES, KexRound } from "./kex_round.ts";
import { MessageGate } from "./message_gate.ts";
import { MessageQueue } from "./message_queue.ts";
import type { ByteDuplex, TransportOptions, TransportTimers } from "./options.ts";
import { CONTROL_BACKLOG_LIMIT, DEFAULT_HELD_BYTES_LIMIT, Outbound } from "./outbound.ts";
import { RekeySchedule } from "./rekey.ts";
import { nextPhase, Phase, PhaseEvent, type PhaseEventName, type PhaseName } from "./state.ts";

/** Longest time a clean `disconnect()` waits for a running key exchange before it gives up. */
export const CLOSE_FLUSH_TIMEOUT = 5_000;

/** Longest time a closing connection waits for the byte stream to take what is queued. */
const CLOSE_WRITE_TIMEOUT = 1_000;
/** Bytes a read of a byte-stream socket asks for (a pending read holds them, as before). */
const RECEIVE_BUFFER_SIZE = 64 * 1024;

const REAL_TIMERS: TransportTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

/**
 * One SSH transport connection, after the first key exchange. It is the {@linkcode MessageConn}
 * that authentication and the connection layer use.
 *
 * The receive loop never waits for its own writes to reach the peer: answers are queued in
 * order behind whatever is being sent, and the loop stops reading only while more than
 * {@linkcode CONTROL_BACKLOG_LIMIT} bytes of answers are not yet taken, so two ends that both
 * write a lot cannot stall each other, and a peer that never reads cannot grow our memory.
 * Application messages sent while a key exchange runs are held (at most `heldBytesLimit` bytes
 * encoded, the rest waits unencoded) and go out, in order, right after our NEWKEYS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
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
 * assert.equal(client.kexCount >= 1, true);
 * assert.equal(server.phase, "auth");
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

  // --- the state, all of it owned here ---
  #phase: PhaseName = Phase.INITIAL_KEX;
  /** Strict kex is on (both sides offered it in the first KEXINIT). */
  #strict = false;
  /** The running key exchange round, ours or the peer's. */
  #kex?: KexRound;
  /** The peer sent KEXINIT and not yet NEWKEYS. */
  #peerInKex = false;
  /**
   * USERAUTH_SUCCESS went out (server) or came in (client): OpenSSH's `after_authentication`,
   * from which `zlib@openssh.com` runs.
   */
  #afterAuth = false;
  /** The compression method of the keys we seal with, and of those we open with. */
  #compressionOut = "none";
  #compressionIn = "none";
  #error?: DisconnectError;

  readonly #options: TransportOptions;
  readonly #prefs: ResolvedPreferences;
  readonly #random: (n: number) => Uint8Array;
  readonly #trace: (line: string) => void;
  readonly #timers: TransportTimers;
  readonly #duplex: ByteDuplex;
  readonly #deframer: PacketDeframer;
  readonly #writer: PacketWriter;
  readonly #out: Outbound;
  readonly #upstream = new MessageQueue();
  readonly #gate = new MessageGate();
  readonly #rekeys: RekeySchedule;
  readonly #firstKex: Deferred = deferred();
  #closedResolve!: (e: DisconnectError | undefined) => void;
  #socketReader?: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;
  /** The socket's chunks are ours to keep and modify (`ByteDuplex.readsAreOwned`). */
  #readsOwned = false;
  #socketWriter?: WritableStreamDefaultWriter<Uint8Array>;
  #pumpDone?: Promise<void>;
  /** After our close: when the peer's last bytes stop being read (see `#close`). */
  #linger?: unknown;
  #pings: { resolve: (data: Uint8Array) => void; reject: (e: unknown) => void }[] = [];
  #serviceWaiter?: { name: string; resolve: () => void; reject: (e: unknown) => void };

  /** Use {@linkcode startTransport}. */
  constructor(duplex: ByteDuplex, options: TransportOptions) {
    this.role = options.role;
    this.#options = options;
    this.#duplex = duplex;
    this.#random = options.random ?? randomBytes;
    this.#trace = options.trace ?? (() => {});
    this.#timers = options.timers ?? REAL_TIMERS;
    this.#prefs = resolvePreferences(options);
    this.ourVersion = `SSH-2.0-${options.softwareVersion ?? "Hush_0.1.0"}`;
    this.#deframer = new PacketDeframer(
      (packet) => this.#onPacket(packet),
      (e) => void this.#fail(e),
    );
    this.#writer = new PacketWriter({ random: this.#random });
    this.#out = new Outbound(this.#writer, options.heldBytesLimit ?? DEFAULT_HELD_BYTES_LIMIT);
    this.#rekeys = new RekeySchedule(options, this.#timers, this.#trace, () => this.rekey());
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
    return this.#out.heldBytes;
  }

  /** Application messages held until the running key exchange ends, encoded or waiting. */
  get heldMessages(): number {
    return this.#out.heldMessages;
  }

  /**
   * Whether payloads are compressed now, each way: `zlib` from NEWKEYS, `zlib@openssh.com` once
   * authentication has succeeded (see {@linkcode CompressionStart}).
   */
  get compressing(): { in: boolean; out: boolean } {
    return { in: this.#deframer.decompressing, out: this.#writer.compressing };
  }

  /** Bytes received and sent since the start (packet bytes on the wire). */
  get bytes(): { in: number; out: number } {
    return { in: this.#deframer.bytesIn, out: this.#writer.bytesOut };
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
      const reader = this.#duplex.readable.getReader();
      this.#socketReader = reader;
      // Read the peer's line while ours is written: a duplex without buffering (an in-memory
      // pair) would otherwise block both ends in their first write.
      const reading = this.#readVersion(reader);
      reading.catch(() => {});
      this.#trace(`Local version string ${this.ourVersion}`);
      const socket = this.#duplex.writable.getWriter();
      this.#socketWriter = socket;
      await socket.write(new TextEncoder().encode(this.ourVersion + "\r\n"));
      this.#pumpDone = this.#pump(socket);
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
    if (this.#serviceWaiter || this.#phase !== Phase.SERVICE) {
      throw this.#error ??
        new TypeError("A service can be requested once, right after the key exchange");
    }
    const done = new Promise<void>((resolve, reject) => {
      this.#serviceWaiter = { name, resolve, reject };
    });
    done.catch(() => {}); // a failed send below reports first; the close rejects this too
    await this.send({ type: "serviceRequest", service: name });
    this.#trace(`SSH2_MSG_SERVICE_REQUEST sent (${name})`);
    await done;
    this.#trace(`SSH2_MSG_SERVICE_ACCEPT received`);
  }

  /**
   * Sends a message. While a key exchange runs it is held and goes out right after our
   * NEWKEYS. Resolves once it is queued for the byte stream (at once while less than a batch is
   * queued; answers to the peer's requests never wait).
   */
  async send(message: Message): Promise<void> {
    if (this.#error || this.#isClosed()) {
      throw this.#error ??
        new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection is closed");
    }
    if (message.type === "userauthSuccess" && this.role === "server") {
      throw new TypeError("A server sends USERAUTH_SUCCESS through authenticated()");
    }
    if (this.#holding()) {
      await new Promise<void>((resolve, reject) => this.#out.hold(message, resolve, reject));
      return;
    }
    try {
      await this.#out.send(message);
    } catch (e) {
      throw this.#error ??
        new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection is closed", { cause: e });
    }
    this.#checkRekey();
  }

  /**
   * Server: authentication succeeded. Moves to the connection protocol, then sends
   * USERAUTH_SUCCESS: the client's first channel messages may follow it at once.
   */
  async authenticated(): Promise<void> {
    if (this.role !== "server") throw new TypeError("Only a server sends USERAUTH_SUCCESS");
    this.#transition(PhaseEvent.AUTHENTICATED);
    const success: Message = { type: "userauthSuccess" };
    const afterSent = () => this.#startDelayedCompression();
    if (this.#holding()) {
      await new Promise<void>((resolve, reject) =>
        this.#out.hold(success, resolve, reject, afterSent)
      );
      return;
    }
    // send() hands the payload to the writer before it first waits: compression starts right
    // behind USERAUTH_SUCCESS, before anything else is written (OpenSSH's packet.c).
    const sent = this.#out.send(success);
    afterSent();
    await sent;
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
    pong.catch(() => {}); // a failed send below reports first; the close rejects this too
    await this.send({ type: "ping", data });
    return await pong;
  }

  /** Starts a key exchange now (no-op while one runs). */
  rekey(): void {
    if (!this.#kex && !this.#isClosed() && this.kexCount > 0) this.#beginKex();
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
    if (this.#isClosed()) return;
    const clean = reason === DisconnectReason.BY_APPLICATION;
    if (clean && this.#kex && this.#out.heldMessages > 0 && this.kexCount > 0) {
      const kexDone = this.#kex.done.promise;
      let timer: unknown;
      await Promise.race([
        kexDone,
        new Promise<void>((r) => (timer = this.#timers.setTimeout(r, CLOSE_FLUSH_TIMEOUT))),
      ]).catch(() => {});
      this.#timers.clearTimeout(timer);
      if (this.#isClosed()) return;
    }
    this.#trace(`Disconnecting: ${description} (reason ${reason})`);
    const error = clean ? undefined : new DisconnectError(reason, description);
    await this.#close(error, { reason, description });
  }

  // --- phases ---------------------------------------------------------------------------

  /** Moves the phase through the table; a move it lacks is a protocol error. */
  #transition(event: PhaseEventName): void {
    const next = nextPhase(this.#phase, event);
    if (next === undefined) {
      throw new DisconnectError(
        DisconnectReason.PROTOCOL_ERROR,
        `Unexpected ${event} in phase ${this.#phase}`,
      );
    }
    this.#phase = next;
  }

  /** The connection has ended (a method, so that checks after an `await` are not narrowed). */
  #isClosed(): boolean {
    return this.#phase === Phase.CLOSED;
  }

  #holding(): boolean {
    return (this.#kex !== undefined && !this.#kex.weSentNewKeys) || this.#out.heldMessages > 0;
  }

  // --- the byte streams -----------------------------------------------------------------

  async #readVersion(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    let version;
    try {
      version = await readVersionFrom(reader, { role: this.role });
    } catch (e) {
      const reason = (e as { reason?: number }).reason ?? DisconnectReason.PROTOCOL_ERROR;
      throw new DisconnectError(reason, e instanceof Error ? e.message : "Bad version line", {
        cause: e,
      });
    }
    this.peerVersion = version.version;
    this.#trace(`Remote protocol version 2.0, remote software version ${version.version.slice(8)}`);
    this.#receive(reader, version.leftover);
  }

  /**
   * The reads after the version line: where the socket is a byte stream (Deno's TCP adapter),
   * into one buffer of ours, reused; else the stream's own chunks, opened in place where the
   * socket gives them up (`readsAreOwned`). Reuse is safe because the deframer is done with a
   * chunk it does not own once `push` resolves: it copies what it keeps, and an opener that
   * `preservesInput` reads the packet only within `open()`. Each read transfers the buffer, so
   * a view kept by mistake would find it detached, not overwritten. (A fresh buffer per read,
   * to open in place here too, measured no faster on Deno: one allocation traded for another.)
   */
  #socketReads(
    reader: ReadableStreamDefaultReader<Uint8Array>,
  ): () => Promise<ReadableStreamReadResult<Uint8Array>> {
    reader.releaseLock();
    let byob: ReadableStreamBYOBReader | undefined;
    try {
      byob = this.#duplex.readable.getReader({ mode: "byob" });
    } catch { /* not a byte stream */ }
    if (!byob) {
      const chunks = this.#duplex.readable.getReader();
      this.#socketReader = chunks;
      // Chunks the socket hands over for good are opened in place (no copy of each payload).
      this.#readsOwned = this.#duplex.readsAreOwned === true;
      return () => chunks.read();
    }
    this.#socketReader = byob;
    const reads = byob;
    let buffer = new ArrayBuffer(RECEIVE_BUFFER_SIZE);
    return async () => {
      const result = await reads.read(new Uint8Array(buffer));
      if (result.value) buffer = result.value.buffer as ArrayBuffer;
      return result as ReadableStreamReadResult<Uint8Array>;
    };
  }

  /** The receive loop: socket chunks into the deframer, whose packets come to `#onPacket`. */
  async #receive(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    leftover: Uint8Array,
  ): Promise<void> {
    let read: () => Promise<ReadableStreamReadResult<Uint8Array>> = () => reader.read();
    try {
      if (leftover.length > 0) await this.#deframer.push(leftover);
      read = this.#socketReads(reader);
      while (!this.#isClosed()) {
        const { value, done } = await read();
        if (done) {
          await this.#deframer.end();
          if (!this.#isClosed()) {
            await this.#fail(
              new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection closed by peer"),
            );
          }
          return;
        }
        if (this.#isClosed()) break;
        await this.#deframer.push(value, this.#readsOwned);
      }
    } catch (e) {
      await this.#fail(e);
    }
    // Closed by us: what the peer still sends is read and dropped until it closes too (or
    // the linger time ends), so that its last writes are not reset by our socket going away.
    try {
      while (!(await read()).done) { /* dropped */ }
    } catch { /* cancelled at the end of the linger time */ }
    this.#timers.clearTimeout(this.#linger);
  }

  /** Hands the writer's batches to the socket, one write at a time; closes it at the end. */
  async #pump(socket: WritableStreamDefaultWriter<Uint8Array>): Promise<void> {
    const batches = this.#writer.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await batches.read();
        if (done) break;
        await socket.write(value);
        if (this.#duplex.writesAreDone) this.#writer.recycle(value);
      }
      await socket.close().catch(() => {});
    } catch (e) {
      batches.cancel(e).catch(() => {});
      socket.abort(e).catch(() => {});
      if (!this.#isClosed()) {
        await this.#fail(
          new DisconnectError(DisconnectReason.CONNECTION_LOST, "Write failed", { cause: e }),
        );
      }
    }
  }

  // --- receiving ------------------------------------------------------------------------

  /** One packet from the peer: checked against the state machine, then handled. */
  async #onPacket(packet: Packet): Promise<void> {
    // A peer that sends but does not read: before handling more of what it sends, wait until
    // it has taken our answers (checked per packet, so one read's worth cannot overshoot).
    if (this.#out.replyBacklog > CONTROL_BACKLOG_LIMIT) await this.#out.replyBacklogDrained();
    if (this.#isClosed()) return;
    const msg = decodeMessage(packet.payload, this.#kex?.exchange?.decodeContext ?? {});
    this.#gate.admit(msg.type, {
      phase: this.#phase,
      role: this.role,
      peerInKex: this.#peerInKex,
      strictInitial: this.#strict && this.kexCount === 0,
    });
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
          this.#out.writeReply(encodeMessage({ type: "pong", data: msg.data }));
        } else {
          this.#trace("Not answering PING before authentication or during key exchange");
        }
        return;
      case "pong":
        this.#pings.shift()?.resolve(msg.data.slice());
        return;
      case "serviceRequest":
        if (msg.service !== "ssh-userauth") {
          throw new DisconnectError(
            DisconnectReason.SERVICE_NOT_AVAILABLE,
            `Service ${quotedName(msg.service)} is not available`,
          );
        }
        this.#transition(PhaseEvent.SERVICE_REQUESTED);
        this.#trace(`SSH2_MSG_SERVICE_REQUEST received (${msg.service})`);
        this.#out.writeReply(encodeMessage({ type: "serviceAccept", service: msg.service }));
        return;
      case "serviceAccept": {
        const w = this.#serviceWaiter;
        if (!w || w.name !== msg.service) {
          throw new DisconnectError(
            DisconnectReason.PROTOCOL_ERROR,
            `SERVICE_ACCEPT for ${quotedName(msg.service)} not requested`,
          );
        }
        this.#serviceWaiter = undefined;
        this.#transition(PhaseEvent.SERVICE_ACCEPTED);
        w.resolve();
        return;
      }
      case "userauthRequest":
        if (this.#phase === Phase.CONNECTION) {
          this.#trace("Ignoring USERAUTH_REQUEST after authentication succeeded");
          return;
        }
        break;
      case "userauthSuccess":
        // Client: the connection protocol's messages may follow right behind it, compressed
        // when zlib@openssh.com was negotiated (from the very next packet each way).
        this.#transition(PhaseEvent.AUTHENTICATED);
        this.#trace("Authentication succeeded");
        this.#startDelayedCompression();
        break;
      case "unknown":
        if (
          this.#phase === Phase.AUTH && !this.#peerInKex && msg.number >= 60 && msg.number <= 79
        ) break;
        this.#trace(`Unknown message ${msg.number}: SSH2_MSG_UNIMPLEMENTED sent`);
        this.#out.writeReply(encodeMessage({ type: "unimplemented", sequence: packet.sequence }));
        return;
      default:
        if (KEX_METHOD_TYPES.has(msg.type)) return await this.#onKexMessage(msg);
        break;
    }
    await this.#upstream.push(msg);
    this.#checkRekey();
  }

  #onExtInfo(extensions: { name: string; value: Uint8Array }[]): void {
    if (this.#phase === Phase.AUTH) this.#gate.authExtInfoReceived();
    for (const e of extensions) this.peerExtensions.set(e.name, e.value.slice());
    const algs = this.peerExtensions.get("server-sig-algs");
    if (this.role === "client" && algs) this.serverSigAlgs = nameList(algs);
    this.#trace(`SSH2_MSG_EXT_INFO received: ${extensions.map((e) => e.name).join(", ")}`);
    if (this.serverSigAlgs && algs) {
      this.#trace(`kex_ext_info: server-sig-algs=<${this.serverSigAlgs.join(",")}>`);
    }
  }

  // --- key exchange ---------------------------------------------------------------------

  /** Starts a key exchange round (our KEXINIT) unless one runs; returns the running round. */
  #beginKex(): KexRound {
    if (this.#kex) return this.#kex;
    const round = new KexRound({
      role: this.role,
      ourVersion: this.ourVersion,
      prefs: this.#prefs,
      random: this.#random,
      x25519: this.#options.x25519,
      sntrup761: this.#options.sntrup761,
      trace: this.#trace,
      first: this.sessionId === undefined,
    });
    this.#kex = round;
    this.#out.writeReply(round.oursPayload);
    return round;
  }

  async #onKexInit(peers: KexInit, packet: Packet): Promise<void> {
    const round = this.#beginKex();
    this.#peerInKex = true;
    const replies = await round.onKexInit(peers, packet, this.peerVersion);
    if (round.first) this.#strict = round.strictKex;
    for (const payload of replies) this.#out.writeReply(payload);
  }

  async #onKexMessage(msg: Message): Promise<void> {
    const round = this.#kex;
    if (!round) {
      throw new DisconnectError(DisconnectReason.PROTOCOL_ERROR, `${msg.type} before KEXINIT`);
    }
    const { replies, finished } = await round.onKexMessage(msg);
    for (const payload of replies) this.#out.writeReply(payload);
    if (!finished) return;
    // The exchange is done: verify the host key, install the keys, send NEWKEYS (and EXT_INFO).
    const keys = await round.newKeys({
      sessionId: this.sessionId,
      previousHostKey: this.hostKey,
      verifyHostKey: (info) => this.#options.verifyHostKey?.(info),
      cipherBackends: await this.#options.cipherBackends,
      paddingRandom: this.#options.random,
    });
    if (this.#isClosed()) {
      keys.opener.dispose?.();
      keys.sealer.dispose?.();
      return;
    }
    this.hostKey = keys.hostKey;
    this.sessionId ??= keys.sessionId;
    // Each way, the new keys' compression: a fresh stream from NEWKEYS for zlib, and for
    // zlib@openssh.com once authenticated (else it waits for USERAUTH_SUCCESS).
    const n = round.negotiated!;
    const client = this.role === "client";
    const outMethod = client ? n.compressionClientToServer : n.compressionServerToClient;
    const inMethod = client ? n.compressionServerToClient : n.compressionClientToServer;
    this.#deframer.nextOpener(keys.opener, {
      resetSequence: this.#strict,
      decompressor: this.#stageAtNewKeys(inMethod, "in")?.decompressor?.(),
    });
    this.#writer.nextSealer(keys.sealer, {
      resetSequence: this.#strict,
      compressor: this.#stageAtNewKeys(outMethod, "out")?.compressor?.(),
    });
    this.#compressionOut = outMethod; // the writer switches with the NEWKEYS written here
    this.#out.writeReply(encodeMessage({ type: "newKeys" }));
    round.weSentNewKeys = true;
    this.#trace("SSH2_MSG_NEWKEYS sent");
    if (round.first && this.role === "server" && round.negotiated!.clientWantsExtInfo) {
      this.#out.writeReply(encodeMessage(serverExtInfo(this.#prefs.serverSigAlgs)));
      this.#trace("SSH2_MSG_EXT_INFO sent: server-sig-algs, ping@openssh.com");
    }
    this.#out.flushHeld();
  }

  /** The peer's NEWKEYS ends the round: its keys and algorithms are the connection's now. */
  #onNewKeys(): void {
    const round = this.#kex;
    if (!round?.result) {
      throw new DisconnectError(
        DisconnectReason.PROTOCOL_ERROR,
        "NEWKEYS before the key exchange finished",
      );
    }
    this.#peerInKex = false;
    this.#trace("SSH2_MSG_NEWKEYS received");
    this.negotiated = round.negotiated;
    // the deframer switches to the new keys (and their decompression) right after this packet
    this.#compressionIn = this.role === "client"
      ? round.negotiated!.compressionServerToClient
      : round.negotiated!.compressionClientToServer;
    this.kexCount++;
    this.#kex = undefined;
    this.#rekeys.keysChanged(this.#deframer.bytesIn, this.#writer.bytesOut);
    round.done.resolve();
    if (round.first) {
      this.#gate.firstNewKeysReceived();
      this.#transition(PhaseEvent.FIRST_NEWKEYS);
      this.#trace("Key exchange done");
      this.#firstKex.resolve();
    } else {
      this.#trace(`Rekey done (key exchange ${this.kexCount})`);
      this.#scheduleTimedRekey();
    }
  }

  /** The method whose stream starts with the new keys in direction `way`, if one does. */
  #stageAtNewKeys(name: string, way: "in" | "out"): CompressionMethod | undefined {
    if (!startsAtNewKeys(name, this.#afterAuth)) return undefined;
    this.#trace(`Enabling compression at level ${ZLIB_LEVEL} (${name}, ${way})`);
    return compressionMethod(name);
  }

  /**
   * OpenSSH's `ssh_packet_enable_delayed_compress`: right after USERAUTH_SUCCESS (server: sent,
   * client: received), `zlib@openssh.com` starts each way whose keys in use negotiated it.
   */
  #startDelayedCompression(): void {
    this.#afterAuth = true;
    const delayed = (name: string) =>
      compressionMethod(name).start === CompressionStart.AUTHENTICATED;
    if (delayed(this.#compressionOut) && !this.#writer.compressing) {
      this.#trace(`Enabling compression at level ${ZLIB_LEVEL} (${this.#compressionOut}, out)`);
      this.#writer.startCompression(compressionMethod(this.#compressionOut).compressor!());
    }
    if (delayed(this.#compressionIn) && !this.#deframer.decompressing) {
      this.#trace(`Enabling compression at level ${ZLIB_LEVEL} (${this.#compressionIn}, in)`);
      this.#deframer.startDecompression(compressionMethod(this.#compressionIn).decompressor!());
    }
  }

  #checkRekey(): void {
    if (this.#kex || this.kexCount === 0 || this.#isClosed()) return;
    if (this.#rekeys.volumeReached(this.#deframer.bytesIn, this.#writer.bytesOut)) this.rekey();
  }

  #scheduleTimedRekey(): void {
    if (this.#isClosed()) this.#rekeys.stop();
    else this.#rekeys.startTimer();
  }

  // --- the end --------------------------------------------------------------------------

  async #fail(e: unknown): Promise<void> {
    if (this.#isClosed()) return;
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
    if (this.#isClosed()) return;
    this.#transition(PhaseEvent.CLOSED);
    this.#error = error;
    this.#rekeys.stop();
    const gone = error ??
      new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection closed");
    this.#out.rejectHeld(gone);
    for (const p of this.#pings.splice(0)) p.reject(gone);
    this.#serviceWaiter?.reject(gone);
    this.#firstKex.reject(gone);
    this.#kex?.done.reject(gone);
    this.#upstream.close(error);
    if (send) {
      // queued behind everything written so far, so that it all reaches the peer first
      try {
        const description = send.description.slice(0, DISCONNECT_DESCRIPTION_LIMIT);
        this.#out.writeReply(
          encodeMessage({ type: "disconnect", reason: send.reason, description, language: "" }),
        );
      } catch { /* the writer failed already */ }
    }
    this.#writer.close();
    let timer: unknown;
    await Promise.race([
      this.#pumpDone ?? Promise.resolve(),
      new Promise<void>((r) => (timer = this.#timers.setTimeout(r, CLOSE_WRITE_TIMEOUT))),
    ]);
    this.#timers.clearTimeout(timer);
    if (!this.#pumpDone) this.#socketWriter?.abort().catch(() => {});
    // The receive loop drains the peer's last bytes for a while (a closed peer ends it sooner);
    // then the socket is let go. The timer must not keep a process alive by itself.
    this.#linger = this.#timers.setTimeout(
      () => this.#socketReader?.cancel().catch(() => {}),
      error ? 0 : CLOSE_WRITE_TIMEOUT,
    );
    this.#closedResolve(error);
  }
}
