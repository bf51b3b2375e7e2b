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
import { resolvePreferences } from "./algorithms.ts";
import { DisconnectError, disconnectFor } from "./errors.ts";
import { MessageQueue } from "./message_queue.ts";
import type { ByteDuplex, TransportOptions } from "./options.ts";
import { allowedMessage, Phase, type PhaseName } from "./state.ts";
import { readPeerVersion, writeVersionLine } from "./version_exchange.ts";

/** Default rekey volume: 1 GiB each way (OpenSSH's default depends on the cipher; this is its upper bound). */
export const DEFAULT_REKEY_BYTES = 1 << 30;
/** Default rekey interval: one hour. */
export const DEFAULT_REKEY_INTERVAL = 3_600_000;
/** Default limit on the first key exchange, from the first byte. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 120_000;

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
  payload: Uint8Array;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * One SSH transport connection, after the first key exchange. It is the {@linkcode MessageConn}
 * that authentication and the connection layer use.
 *
 * @example
 * ```ts ignore
 * import { startTransport } from "@hush/transport";
 * const transport = await startTransport(socket, { role: "client", verifyHostKey: () => {} });
 * await transport.requestService("ssh-userauth");
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
  #reader = new PacketReader();
  #packetWriter: PacketWriter;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #upstream = new MessageQueue();
  #phase: PhaseName = Phase.INITIAL_KEX;
  #kex?: KexRound;
  #peerInKex = false;
  #strict = false;
  #firstPacket = true;
  #justAfterFirstNewKeys = false;
  #held: Held[] = [];
  #serviceWaiter?: { name: string; resolve: () => void; reject: (e: unknown) => void };
  #firstKex: PromiseWithResolvers<void> = Promise.withResolvers();
  #closedResolve!: (e: DisconnectError | undefined) => void;
  #error?: DisconnectError;
  #duplex: ByteDuplex;
  #rekeyBaseIn = 0;
  #rekeyBaseOut = 0;
  #rekeyTimer?: ReturnType<typeof setTimeout>;

  /** Use {@linkcode startTransport}. */
  constructor(duplex: ByteDuplex, options: TransportOptions) {
    this.role = options.role;
    this.#options = options;
    this.#duplex = duplex;
    this.#random = options.random ?? randomBytes;
    this.#trace = options.trace ?? (() => {});
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

  /** Runs the version exchange and the first key exchange. */
  async start(): Promise<void> {
    const timeout = this.#options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    const timer = setTimeout(
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
      await writeVersionLine(this.#duplex.writable, this.ourVersion);
      this.#packetWriter.readable.pipeTo(this.#duplex.writable).catch((e) =>
        this.#fail(
          new DisconnectError(DisconnectReason.CONNECTION_LOST, "Write failed", { cause: e }),
        )
      );
      // our KEXINIT goes out right behind our version line, before the peer's line arrives
      await this.#beginKex();
      await reading;
      await this.#firstKex.promise;
    } catch (e) {
      this.#fail(e);
      throw this.#error ?? e;
    } finally {
      clearTimeout(timer);
    }
    this.#scheduleTimedRekey();
  }

  /** Client: asks for a service (`ssh-userauth`) and waits for SERVICE_ACCEPT. */
  async requestService(name: string): Promise<void> {
    if (this.role !== "client") throw new TypeError("Only a client requests services");
    const done = new Promise<void>((
      resolve,
      reject,
    ) => (this.#serviceWaiter = { name, resolve, reject }));
    await this.send({ type: "serviceRequest", service: name });
    this.#trace(`SSH2_MSG_SERVICE_REQUEST sent (${name})`);
    await done;
    this.#trace(`SSH2_MSG_SERVICE_ACCEPT received`);
  }

  /** Sends a message, holding it while a key exchange runs. */
  async send(message: Message): Promise<void> {
    if (this.#error || this.#phase === Phase.CLOSED) {
      throw this.#error ??
        new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection is closed");
    }
    if (message.type === "userauthSuccess" && this.role === "server") {
      this.#phase = Phase.CONNECTION;
    }
    const payload = encodeMessage(message);
    if ((this.#kex && !this.#kex.weSentNewKeys) || this.#held.length > 0) {
      await new Promise<void>((resolve, reject) => this.#held.push({ payload, resolve, reject }));
      return;
    }
    await this.#write(payload);
    this.#checkRekey();
  }

  /** Starts a key exchange now (no-op while one runs). */
  rekey(): void {
    if (!this.#kex && this.#phase !== Phase.CLOSED) this.#beginKex().catch((e) => this.#fail(e));
  }

  /** Sends DISCONNECT and closes the connection. */
  async disconnect(
    reason: number = DisconnectReason.BY_APPLICATION,
    description = "Closed by application",
  ): Promise<void> {
    if (this.#phase === Phase.CLOSED) return;
    const clean = reason === DisconnectReason.BY_APPLICATION;
    const error = clean ? undefined : new DisconnectError(reason, description);
    await this.#close(error, { reason, description });
  }

  async #write(payload: Uint8Array): Promise<void> {
    await this.#writer.write(payload);
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
      }
    } catch (e) {
      await this.#fail(e);
    } finally {
      reader.releaseLock();
    }
  }

  async #onPacket(packet: Packet): Promise<void> {
    const msg = decodeMessage(packet.payload, this.#kex?.exchange?.decodeContext ?? {});
    const verdict = allowedMessage(msg.type, {
      phase: this.#phase,
      role: this.role,
      peerInKex: this.#peerInKex,
      strictInitial: this.#strict && this.kexCount === 0,
      firstPacket: this.#firstPacket,
      justAfterFirstNewKeys: this.#justAfterFirstNewKeys,
    });
    // strict kex is only known once KEXINITs are in; the first packet must be KEXINIT either way
    // when we offered strict kex, which we always do on the first exchange.
    if (this.#firstPacket && msg.type !== "kexInit" && msg.type !== "disconnect") {
      if (msg.type !== "ignore" && msg.type !== "debug") {
        throw new DisconnectError(
          DisconnectReason.PROTOCOL_ERROR,
          `Expected KEXINIT, got ${msg.type}`,
        );
      }
    }
    this.#firstPacket = false;
    const afterNewKeys = this.#justAfterFirstNewKeys;
    this.#justAfterFirstNewKeys = false;
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
        return await this.#onKexInit(msg, packet.payload);
      case "newKeys":
        return this.#onNewKeys();
      case "extInfo":
        for (const e of msg.extensions) this.peerExtensions.set(e.name, e.value);
        if (this.role === "client") {
          const algs = this.peerExtensions.get("server-sig-algs");
          if (algs) this.serverSigAlgs = new TextDecoder().decode(algs).split(",").filter((s) => s);
          this.#trace(
            `SSH2_MSG_EXT_INFO received (server-sig-algs=<${this.serverSigAlgs?.join(",") ?? ""}>)`,
          );
        }
        void afterNewKeys;
        return;
      case "ping":
        await this.send({ type: "pong", data: msg.data });
        return;
      case "pong":
        return;
      case "serviceRequest":
        if (msg.service !== "ssh-userauth") {
          throw new DisconnectError(
            DisconnectReason.SERVICE_NOT_AVAILABLE,
            `Service ${msg.service} is not available`,
          );
        }
        this.#phase = Phase.AUTH;
        await this.send({ type: "serviceAccept", service: msg.service });
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
      case "unknown":
        if (this.#phase === Phase.AUTH && msg.number >= 60 && msg.number <= 79) break;
        await this.send({ type: "unimplemented", sequence: packet.sequence });
        return;
      default:
        if (KEX_METHOD_TYPES.has(msg.type)) return await this.#onKexMessage(msg);
        break;
    }
    if (msg.type === "userauthSuccess" && this.role === "client") this.#phase = Phase.CONNECTION;
    await this.#upstream.push(msg);
    this.#checkRekey();
  }

  async #beginKex(): Promise<void> {
    if (this.#kex) return;
    const first = this.sessionId === undefined;
    const ours = createKexInit(this.#prefs, { role: this.role, first, random: this.#random });
    const oursPayload = encodeMessage(ours);
    this.#kex = { first, ours, oursPayload, ignoreNextKexPacket: false, weSentNewKeys: false };
    if (first) {
      this.#trace(`SSH2_MSG_KEXINIT sent`);
    } else {
      this.#trace(`Rekeying: SSH2_MSG_KEXINIT sent`);
    }
    await this.#write(oursPayload);
  }

  async #onKexInit(peers: KexInit, payload: Uint8Array): Promise<void> {
    if (!this.#kex) await this.#beginKex();
    const kex = this.#kex!;
    this.#peerInKex = true;
    kex.peers = peers;
    kex.peersPayload = payload;
    this.#trace("SSH2_MSG_KEXINIT received");
    const client = this.role === "client" ? kex.ours : peers;
    const server = this.role === "client" ? peers : kex.ours;
    const n = negotiate(client, server, { isAead, first: kex.first });
    kex.negotiated = n;
    if (kex.first) this.#strict = n.strictKex;
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
      clientKexInit: this.role === "client" ? kex.oursPayload : payload,
      serverKexInit: this.role === "client" ? payload : kex.oursPayload,
      hostKeyAlgorithm: n.hostKey,
      random: this.#random,
    };
    if (this.role === "client") {
      kex.exchange = createClientExchange(n.kex, inputs);
    } else {
      const hostKey = this.#prefs.hostKeyFor(n.hostKey);
      kex.exchange = createServerExchange(n.kex, { ...inputs, hostKey });
    }
    for (const m of await kex.exchange.start()) await this.#write(encodeMessage(m));
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
    for (const m of reply) await this.#write(encodeMessage(m));
    if (result) await this.#finishExchange(kex, result);
  }

  async #finishExchange(kex: KexRound, result: KexResult): Promise<void> {
    kex.result = result;
    const n = kex.negotiated!;
    if (this.role === "client") {
      if (kex.first || !this.hostKey || !equalBytes(this.hostKey, result.hostKey)) {
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
    this.#reader.nextOpener(opener, { resetSequence: this.#strict });
    this.#packetWriter.nextSealer(sealer, { resetSequence: this.#strict });
    await this.#write(encodeMessage({ type: "newKeys" }));
    kex.weSentNewKeys = true;
    this.#trace("SSH2_MSG_NEWKEYS sent");
    if (kex.first && !client && n.clientWantsExtInfo) {
      const algs = this.#prefs.serverSigAlgs;
      await this.#write(encodeMessage({
        type: "extInfo",
        extensions: [
          { name: "server-sig-algs", value: new TextEncoder().encode(algs.join(",")) },
          { name: "ping@openssh.com", value: new TextEncoder().encode("0") },
        ],
      }));
    }
    await this.#flushHeld();
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
    if (kex.first) {
      this.#justAfterFirstNewKeys = true;
      this.#phase = Phase.SERVICE;
      this.#firstKex.resolve();
    } else {
      this.#trace("Rekey done");
      this.#scheduleTimedRekey();
    }
  }

  async #flushHeld(): Promise<void> {
    while (this.#held.length > 0 && !(this.#kex && !this.#kex.weSentNewKeys)) {
      const h = this.#held.shift()!;
      try {
        await this.#write(h.payload);
        h.resolve();
      } catch (e) {
        h.reject(e);
      }
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
    clearTimeout(this.#rekeyTimer);
    const interval = this.#options.rekeyInterval ?? DEFAULT_REKEY_INTERVAL;
    if (!Number.isFinite(interval) || interval <= 0) return;
    this.#rekeyTimer = setTimeout(() => this.rekey(), interval);
    // never keep a process alive just for a rekey timer
    (this.#rekeyTimer as unknown as { unref?: () => void }).unref?.();
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
    clearTimeout(this.#rekeyTimer);
    if (send) {
      try {
        await Promise.race([
          this.#writer.write(encodeMessage({ type: "disconnect", ...send, language: "" })),
          new Promise((r) => setTimeout(r, 1000)),
        ]);
      } catch { /* the peer may be gone */ }
    }
    for (const h of this.#held.splice(0)) {
      h.reject(
        error ?? new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection is closed"),
      );
    }
    this.#serviceWaiter?.reject(
      error ?? new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection closed"),
    );
    this.#firstKex.reject(
      error ?? new DisconnectError(DisconnectReason.CONNECTION_LOST, "Connection closed"),
    );
    this.#upstream.close(error);
    try {
      await Promise.race([this.#writer.close(), new Promise((r) => setTimeout(r, 1000))]);
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
 * ```ts ignore
 * import { startTransport } from "@hush/transport";
 * const t = await startTransport(duplex, { role: "server", hostKeys: [hostKey] });
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
