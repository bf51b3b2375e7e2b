/**
 * One key exchange round (RFC 4253 §7–8): our KEXINIT, the peer's, negotiation, the method's
 * messages, host key verification, key derivation and our NEWKEYS. The transport owns the
 * rounds and the peer's NEWKEYS; a round reaches the connection only through its
 * {@linkcode KexContext}.
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
import { fingerprintOf } from "@hush/keys";
import {
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
import { serverExtInfo } from "./ext_info.ts";
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

/** What a key exchange round reads from and does to its connection. */
export interface KexContext {
  /** Which end we are. */
  readonly role: "client" | "server";
  /** Our identification line without CR LF. */
  readonly ourVersion: string;
  /** The peer's identification line without CR LF. */
  readonly peerVersion: string;
  /** The algorithms we offer, and our host keys. */
  readonly prefs: ResolvedPreferences;
  /** The random source. */
  readonly random: (n: number) => Uint8Array;
  /** The trace hook. */
  readonly trace: (line: string) => void;
  /** Client: accepts the server's host key, or throws. */
  verifyHostKey(info: HostKeyInfo): Promise<void> | void;
  /** H of the first key exchange; the first round sets it. */
  sessionId?: Uint8Array;
  /** The server's host key blob of the latest exchange; each round sets it. */
  hostKey?: Uint8Array;
  /** Strict kex is on; the first round decides it. */
  strict: boolean;
  /** Writes a kex message without waiting for the byte stream to take it. */
  writeControl(payload: Uint8Array): void;
  /** Installs the new keys: the opener for the peer's packets, the sealer for ours. */
  switchKeys(opener: PacketOpener, sealer: PacketSealer): void;
  /** Sends the application messages held during the exchange, right after our NEWKEYS. */
  flushHeld(): void;
}

/**
 * One key exchange, from our KEXINIT to our NEWKEYS. Creating it sends our KEXINIT.
 *
 * @example
 * ```ts ignore
 * const round = new KexRound(context); // KEXINIT sent
 * await round.onKexInit(peersKexInit, packet); // negotiated, the method's first messages sent
 * await round.onKexMessage(reply); // keys derived and switched, NEWKEYS sent
 * ```
 */
export class KexRound {
  /** The first exchange of the connection (no session id yet). */
  readonly first: boolean;
  /** Our KEXINIT. */
  readonly ours: KexInit;
  /** Our KEXINIT's payload, as sent. */
  readonly oursPayload: Uint8Array;
  /** The peer's KEXINIT. */
  peers?: KexInit;
  /** The peer's KEXINIT's payload, as received. */
  peersPayload?: Uint8Array;
  /** The algorithms agreed on. */
  negotiated?: Negotiated;
  /** The method's exchange, once negotiated. */
  exchange?: KexExchange;
  /** The exchange's outcome, once it finished. */
  result?: KexResult;
  /** The peer guessed wrong and its next method message is to be ignored. */
  ignoreNextKexPacket = false;
  /** Our NEWKEYS went out: application messages flow again. */
  weSentNewKeys = false;
  /** Settles when the round ends: with the peer's NEWKEYS, or when the connection closes. */
  readonly done: Deferred;
  #ctx: KexContext;

  /** Starts a round: sends our KEXINIT. */
  constructor(ctx: KexContext) {
    this.#ctx = ctx;
    const first = ctx.sessionId === undefined;
    this.first = first;
    this.ours = createKexInit(ctx.prefs, { role: ctx.role, first, random: ctx.random });
    this.oursPayload = encodeMessage(this.ours);
    this.done = deferred();
    this.done.promise.catch(() => {});
    ctx.trace(first ? "SSH2_MSG_KEXINIT sent" : "Rekeying: SSH2_MSG_KEXINIT sent");
    ctx.writeControl(this.oursPayload);
  }

  /** The peer's KEXINIT: negotiates and starts the method. */
  async onKexInit(peers: KexInit, packet: Packet): Promise<void> {
    const ctx = this.#ctx;
    this.peers = peers;
    this.peersPayload = packet.payload;
    ctx.trace("SSH2_MSG_KEXINIT received");
    const client = ctx.role === "client" ? this.ours : peers;
    const server = ctx.role === "client" ? peers : this.ours;
    if (this.first) {
      ctx.trace(`peer offered kex: ${peers.kexAlgorithms.join(",")}`);
      ctx.trace(`peer offered host key algorithms: ${peers.serverHostKeyAlgorithms.join(",")}`);
      ctx.trace(`peer offered ciphers: ${peers.encryptionClientToServer.join(",")}`);
    }
    const n = negotiate(client, server, { isAead, first: this.first });
    this.negotiated = n;
    if (this.first) {
      ctx.strict = n.strictKex;
      if (ctx.strict && packet.sequence !== 0) {
        throw new DisconnectError(
          DisconnectReason.PROTOCOL_ERROR,
          "Strict kex: KEXINIT was not the first packet",
        );
      }
    }
    ctx.trace(`kex: algorithm: ${n.kex}`);
    ctx.trace(`kex: host key algorithm: ${n.hostKey}`);
    ctx.trace(
      `kex: server->client cipher: ${n.cipherServerToClient} MAC: ${
        n.macServerToClient ?? "<implicit>"
      } compression: ${n.compressionServerToClient}`,
    );
    ctx.trace(
      `kex: client->server cipher: ${n.cipherClientToServer} MAC: ${
        n.macClientToServer ?? "<implicit>"
      } compression: ${n.compressionClientToServer}`,
    );
    if (this.first && ctx.strict) ctx.trace("kex: strict key exchange enabled");
    if (peers.firstKexPacketFollows && n.guessWrong) this.ignoreNextKexPacket = true;
    const inputs = {
      clientVersion: ctx.role === "client" ? ctx.ourVersion : ctx.peerVersion,
      serverVersion: ctx.role === "client" ? ctx.peerVersion : ctx.ourVersion,
      clientKexInit: ctx.role === "client" ? this.oursPayload : packet.payload,
      serverKexInit: ctx.role === "client" ? packet.payload : this.oursPayload,
      hostKeyAlgorithm: n.hostKey,
      random: ctx.random,
    };
    if (ctx.role === "client") {
      this.exchange = createClientExchange(n.kex, inputs);
    } else {
      const hostKey = ctx.prefs.hostKeyFor(n.hostKey);
      this.exchange = createServerExchange(n.kex, { ...inputs, hostKey });
    }
    for (const m of await this.exchange.start()) ctx.writeControl(encodeMessage(m));
  }

  /** One of the method's messages ({@linkcode KEX_METHOD_TYPES}). */
  async onKexMessage(msg: Message): Promise<void> {
    if (!this.exchange) {
      throw new DisconnectError(DisconnectReason.PROTOCOL_ERROR, `${msg.type} before KEXINIT`);
    }
    if (this.ignoreNextKexPacket) {
      this.ignoreNextKexPacket = false;
      this.#ctx.trace("Ignoring the peer's wrongly guessed kex packet");
      return;
    }
    if (this.result) {
      throw new DisconnectError(
        DisconnectReason.PROTOCOL_ERROR,
        `${msg.type} after the exchange finished`,
      );
    }
    const { reply, result } = await this.exchange.receive(msg);
    for (const m of reply) this.#ctx.writeControl(encodeMessage(m));
    if (result) await this.#finish(result);
  }

  /** The exchange is done: verify the host key, switch keys, send NEWKEYS (and EXT_INFO). */
  async #finish(result: KexResult): Promise<void> {
    const ctx = this.#ctx;
    this.result = result;
    const n = this.negotiated!;
    if (ctx.role === "client") {
      if (this.first || !ctx.hostKey || !equalBytes(ctx.hostKey, result.hostKey)) {
        let fingerprint = "";
        try {
          fingerprint = fingerprintOf(result.hostKey);
        } catch { /* verifyHostKey decides */ }
        ctx.trace(`Server host key: ${n.hostKey} ${fingerprint}`);
        try {
          await ctx.verifyHostKey({ hostKey: result.hostKey, algorithm: n.hostKey });
        } catch (e) {
          throw new DisconnectError(
            DisconnectReason.HOST_KEY_NOT_VERIFIABLE,
            e instanceof Error ? e.message : "Host key verification failed",
            { cause: e },
          );
        }
      }
    }
    ctx.hostKey = result.hostKey;
    ctx.sessionId ??= result.exchangeHash.slice();
    const c2s = keyLengths(n.cipherClientToServer, n.macClientToServer);
    const s2c = keyLengths(n.cipherServerToClient, n.macServerToClient);
    const keys = deriveKeys(result, ctx.sessionId, {
      ivClientToServer: c2s.ivLength,
      keyClientToServer: c2s.keyLength,
      macKeyClientToServer: c2s.macKeyLength,
      ivServerToClient: s2c.ivLength,
      keyServerToClient: s2c.keyLength,
      macKeyServerToClient: s2c.macKeyLength,
    });
    const client = ctx.role === "client";
    const outKeys = client ? keys.clientToServer : keys.serverToClient;
    const inKeys = client ? keys.serverToClient : keys.clientToServer;
    const sealer = client
      ? createSealer(n.cipherClientToServer, n.macClientToServer, outKeys, { random: ctx.random })
      : createSealer(n.cipherServerToClient, n.macServerToClient, outKeys, {
        random: ctx.random,
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
    ctx.switchKeys(opener, sealer);
    ctx.writeControl(encodeMessage({ type: "newKeys" }));
    this.weSentNewKeys = true;
    ctx.trace("SSH2_MSG_NEWKEYS sent");
    if (this.first && !client && n.clientWantsExtInfo) {
      ctx.writeControl(encodeMessage(serverExtInfo(ctx.prefs.serverSigAlgs)));
      ctx.trace("SSH2_MSG_EXT_INFO sent: server-sig-algs, ping@openssh.com");
    }
    ctx.flushHeld();
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
