/**
 * One key exchange round (RFC 4253 §7–8): our KEXINIT, the peer's, negotiation, the method's
 * messages, host key verification and key derivation. A round is a value the transport drives:
 * it answers each step with the payloads to send and, at its end, the new sealer and opener;
 * the transport owns the connection's state, installs the keys and sends NEWKEYS.
 * @module
 */
import { type CipherBackends, createOpener, createSealer, isAead, keyLengths } from "@hush/cipher";
import {
  createClientExchange,
  createKexInit,
  createServerExchange,
  deriveKeys,
  type KexExchange,
  type KexResult,
  negotiate,
  type Negotiated,
  type Sntrup761Backend,
  type X25519Backend,
} from "@hush/kex";
import { fingerprintOf } from "@hush/keys";
import {
  bytesEqual,
  DisconnectReason,
  encodeMessage,
  type KexInit,
  type Message,
  type Packet,
  type PacketOpener,
  type PacketSealer,
} from "@hush/wire";
import type { ResolvedPreferences } from "./algorithms.ts";
import { type Deferred, deferred } from "./deferred.ts";
import { DisconnectError } from "./errors.ts";
import type { HostKeyInfo } from "./options.ts";

/** The key exchange method's own messages (numbers 30–49), handled by the running round. */
export const KEX_METHOD_TYPES: ReadonlySet<string> = new Set([
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

/** What a round is started with: fixed for its life. */
export interface KexRoundInit {
  /** Which end we are. */
  readonly role: "client" | "server";
  /** Our identification line without CR LF. */
  readonly ourVersion: string;
  /** The algorithms we offer, and our host keys. */
  readonly prefs: ResolvedPreferences;
  /** The random source. */
  readonly random: (n: number) => Uint8Array;
  /** Where X25519 runs (noble unless given); awaited once the peer's KEXINIT is in. */
  readonly x25519?: X25519Backend | Promise<X25519Backend>;
  /** Where sntrup761's arithmetic runs (TypeScript unless given); awaited likewise. */
  readonly sntrup761?: Sntrup761Backend | Promise<Sntrup761Backend>;
  /** The trace hook. */
  readonly trace: (line: string) => void;
  /** The first exchange of the connection (no session id yet). */
  readonly first: boolean;
}

/** What the end of an exchange needs from the connection: plain values, nothing to write back. */
export interface NewKeysInputs {
  /** H of the first exchange (absent during the first). */
  readonly sessionId?: Uint8Array;
  /** The server's host key blob of the previous exchange. */
  readonly previousHostKey?: Uint8Array;
  /** Client: accepts the server's host key, or throws. */
  verifyHostKey(info: HostKeyInfo): Promise<void> | void;
  /** What the cipher suites run on. */
  readonly cipherBackends?: CipherBackends;
  /** Padding source for the sealer (the cipher package's pool unless a test sets one). */
  readonly paddingRandom?: (n: number) => Uint8Array;
}

/** The outcome of an exchange: the connection installs the keys and sends NEWKEYS. */
export interface NewKeys {
  /** Opens the peer's packets after its NEWKEYS. */
  readonly opener: PacketOpener;
  /** Seals ours after our NEWKEYS. */
  readonly sealer: PacketSealer;
  /** H of the first exchange (this one's, when it is the first). */
  readonly sessionId: Uint8Array;
  /** The server's host key blob. */
  readonly hostKey: Uint8Array;
}

/**
 * One key exchange, from our KEXINIT to our NEWKEYS, as a value the transport drives: it takes
 * the peer's messages and answers with what to send; it never touches the connection. The
 * transport owns the keys, the phase and the byte streams.
 *
 * The example sketches the transport's loop and is not run: a whole exchange needs a peer
 * round and host keys, which the transport's tests (`transport_test.ts`) set up.
 *
 * @example
 * ```ts ignore
 * const round = new KexRound(init);
 * writeReply(round.oursPayload); // our KEXINIT
 * for (const m of await round.onKexInit(peers, packet, peerVersion)) writeReply(m);
 * const { replies, finished } = await round.onKexMessage(reply);
 * if (finished) install(await round.newKeys(inputs)); // then NEWKEYS
 * ```
 */
export class KexRound {
  /** The first exchange of the connection (no session id yet). */
  readonly first: boolean;
  /** Our KEXINIT. */
  readonly ours: KexInit;
  /** Our KEXINIT's payload, to send as it is. */
  readonly oursPayload: Uint8Array;
  /** The peer's KEXINIT. */
  peers?: KexInit;
  /** The algorithms agreed on. */
  negotiated?: Negotiated;
  /** The method's exchange, once negotiated. */
  exchange?: KexExchange;
  /** The exchange's outcome, once it finished. */
  result?: KexResult;
  /** Our NEWKEYS went out: application messages flow again. */
  weSentNewKeys = false;
  /** Settles when the round ends: with the peer's NEWKEYS, or when the connection closes. */
  readonly done: Deferred;
  /** The peer guessed wrong and its next method message is to be ignored. */
  #ignoreNextKexPacket = false;
  #init: KexRoundInit;

  /** Starts a round: builds our KEXINIT (the caller sends `oursPayload`). */
  constructor(init: KexRoundInit) {
    this.#init = init;
    this.first = init.first;
    this.ours = createKexInit(init.prefs, {
      role: init.role,
      first: init.first,
      random: init.random,
    });
    this.oursPayload = encodeMessage(this.ours);
    this.done = deferred();
    this.done.promise.catch(() => {});
    init.trace(init.first ? "SSH2_MSG_KEXINIT sent" : "Rekeying: SSH2_MSG_KEXINIT sent");
  }

  /** Strict kex, as the first round's negotiation decided it. */
  get strictKex(): boolean {
    return this.negotiated?.strictKex ?? false;
  }

  /**
   * The peer's KEXINIT: negotiates and starts the method; resolves with the payloads to send.
   * Under strict kex the peer's first KEXINIT must have been its first packet.
   */
  async onKexInit(peers: KexInit, packet: Packet, peerVersion: string): Promise<Uint8Array[]> {
    const init = this.#init;
    const trace = init.trace;
    this.peers = peers;
    trace("SSH2_MSG_KEXINIT received");
    const client = init.role === "client" ? this.ours : peers;
    const server = init.role === "client" ? peers : this.ours;
    if (this.first) {
      trace(`peer offered kex: ${peers.kexAlgorithms.join(",")}`);
      trace(`peer offered host key algorithms: ${peers.serverHostKeyAlgorithms.join(",")}`);
      trace(`peer offered ciphers: ${peers.encryptionClientToServer.join(",")}`);
    }
    const n = negotiate(client, server, { isAead, first: this.first });
    this.negotiated = n;
    if (this.first && n.strictKex && packet.sequence !== 0) {
      throw new DisconnectError(
        DisconnectReason.PROTOCOL_ERROR,
        "Strict kex: KEXINIT was not the first packet",
      );
    }
    trace(`kex: algorithm: ${n.kex}`);
    trace(`kex: host key algorithm: ${n.hostKey}`);
    trace(
      `kex: server->client cipher: ${n.cipherServerToClient} MAC: ${
        n.macServerToClient ?? "<implicit>"
      } compression: ${n.compressionServerToClient}`,
    );
    trace(
      `kex: client->server cipher: ${n.cipherClientToServer} MAC: ${
        n.macClientToServer ?? "<implicit>"
      } compression: ${n.compressionClientToServer}`,
    );
    if (this.first && n.strictKex) trace("kex: strict key exchange enabled");
    if (peers.firstKexPacketFollows && n.guessWrong) this.#ignoreNextKexPacket = true;
    const asClient = init.role === "client";
    const inputs = {
      clientVersion: asClient ? init.ourVersion : peerVersion,
      serverVersion: asClient ? peerVersion : init.ourVersion,
      clientKexInit: asClient ? this.oursPayload : packet.payload,
      serverKexInit: asClient ? packet.payload : this.oursPayload,
      hostKeyAlgorithm: n.hostKey,
      random: init.random,
      x25519: await init.x25519,
      sntrup761: await init.sntrup761,
    };
    this.exchange = asClient
      ? createClientExchange(n.kex, inputs)
      : createServerExchange(n.kex, { ...inputs, hostKey: init.prefs.hostKeyFor(n.hostKey) });
    return (await this.exchange.start()).map((m) => encodeMessage(m));
  }

  /**
   * One of the method's messages ({@linkcode KEX_METHOD_TYPES}): resolves with the payloads to
   * send and whether the exchange has finished (then {@linkcode KexRound.newKeys}).
   */
  async onKexMessage(msg: Message): Promise<{ replies: Uint8Array[]; finished: boolean }> {
    if (!this.exchange) {
      throw new DisconnectError(DisconnectReason.PROTOCOL_ERROR, `${msg.type} before KEXINIT`);
    }
    if (this.#ignoreNextKexPacket) {
      this.#ignoreNextKexPacket = false;
      this.#init.trace("Ignoring the peer's wrongly guessed kex packet");
      return { replies: [], finished: false };
    }
    if (this.result) {
      throw new DisconnectError(
        DisconnectReason.PROTOCOL_ERROR,
        `${msg.type} after the exchange finished`,
      );
    }
    const { reply, result } = await this.exchange.receive(msg);
    if (result) this.result = result;
    return { replies: reply.map((m) => encodeMessage(m)), finished: result !== undefined };
  }

  /**
   * The finished exchange's keys: verifies the host key (client; again whenever it changed),
   * derives the keys and builds the sealer and opener, wiping every secret it derived.
   */
  async newKeys(inputs: NewKeysInputs): Promise<NewKeys> {
    const init = this.#init;
    const result = this.result!;
    const n = this.negotiated!;
    const client = init.role === "client";
    if (client) {
      const previous = inputs.previousHostKey;
      if (this.first || !previous || !bytesEqual(previous, result.hostKey)) {
        let fingerprint = "";
        try {
          fingerprint = fingerprintOf(result.hostKey);
        } catch { /* verifyHostKey decides */ }
        init.trace(`Server host key: ${n.hostKey} ${fingerprint}`);
        try {
          await inputs.verifyHostKey({ hostKey: result.hostKey, algorithm: n.hostKey });
        } catch (e) {
          throw new DisconnectError(
            DisconnectReason.HOST_KEY_NOT_VERIFIABLE,
            e instanceof Error ? e.message : "Host key verification failed",
            { cause: e },
          );
        }
      }
    }
    const sessionId = inputs.sessionId ?? result.exchangeHash.slice();
    const c2s = keyLengths(n.cipherClientToServer, n.macClientToServer);
    const s2c = keyLengths(n.cipherServerToClient, n.macServerToClient);
    const keys = deriveKeys(result, sessionId, {
      ivClientToServer: c2s.ivLength,
      keyClientToServer: c2s.keyLength,
      macKeyClientToServer: c2s.macKeyLength,
      ivServerToClient: s2c.ivLength,
      keyServerToClient: s2c.keyLength,
      macKeyServerToClient: s2c.macKeyLength,
    });
    try {
      const sealing = { random: inputs.paddingRandom, backends: inputs.cipherBackends };
      const opening = { backends: inputs.cipherBackends };
      const sealer = client
        ? createSealer(n.cipherClientToServer, n.macClientToServer, keys.clientToServer, sealing)
        : createSealer(n.cipherServerToClient, n.macServerToClient, keys.serverToClient, sealing);
      const opener = client
        ? createOpener(n.cipherServerToClient, n.macServerToClient, keys.serverToClient, opening)
        : createOpener(n.cipherClientToServer, n.macClientToServer, keys.clientToServer, opening);
      return { opener, sealer, sessionId, hostKey: result.hostKey };
    } finally {
      for (const k of [keys.clientToServer, keys.serverToClient]) {
        k.iv.fill(0);
        k.key.fill(0);
        k.macKey.fill(0);
      }
      result.sharedSecret.fill(0);
    }
  }
}
