/**
 * Test support: a hostile peer. It speaks SSH byte for byte as a test scripts it — raw version
 * lines, plaintext packets before the key exchange, then packets sealed with the real keys of a
 * key exchange it ran itself (either role) — and reads what the victim answers. Every step is
 * separate, so a test can break the protocol anywhere: a frame with a wrong length or padding
 * ({@linkcode HostilePeer.sendFrame}), a message out of phase, bytes cut short.
 *
 * Built only on the packages' public APIs (`@hush/kex` for the exchange, `@hush/cipher` to open
 * the victim's packets, `./frame_sealer.ts` to seal ours), so it keeps working whatever the
 * transport does inside.
 * @module
 */
import { createOpener, type DirectionKeys, isAead, keyLengths } from "@hush/cipher";
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
import { generateKey, type PrivateKey } from "@hush/keys";
import { defaultCipherBackends } from "@hush/ssh/adapters";
import type { ByteDuplex } from "@hush/transport";
import {
  type DecodeContext,
  decodeMessage,
  encodeMessage,
  type KexInit,
  type Message,
  type Packet,
  PacketDeframer,
  readVersionFrom,
} from "@hush/wire";
import {
  frame,
  type FrameSealer,
  frameSealer,
  type FrameShape,
  PlainFrameSealer,
} from "./frame_sealer.ts";

/** The algorithms a hostile peer offers (one each by default: curve25519, chacha20-poly1305). */
export interface PeerAlgorithms {
  kex?: string[];
  hostKey?: string[];
  ciphers?: string[];
  macs?: string[];
}

const DEFAULT_ALGORITHMS: Required<PeerAlgorithms> = {
  kex: ["curve25519-sha256"],
  hostKey: ["ssh-ed25519"],
  ciphers: ["chacha20-poly1305@openssh.com"],
  macs: ["hmac-sha2-256-etm@openssh.com"],
};

const hostKeys = new Map<string, Promise<PrivateKey>>();

/** A host or user key of `type`, made once per test process. */
export function testKey(type = "ssh-ed25519", slot = "host"): Promise<PrivateKey> {
  const id = `${slot}:${type}`;
  let key = hostKeys.get(id);
  if (!key) hostKeys.set(id, key = generateKey(type as "ssh-ed25519"));
  return key;
}

/** A DISCONNECT as the hostile peer received it. */
export interface Received {
  reason: number;
  description: string;
}

/** A raw, scripted SSH peer of either role over a byte duplex. */
export class HostilePeer {
  /** The role the peer plays (the victim plays the other). */
  readonly role: "client" | "server";
  /** Our identification line (what {@linkcode HostilePeer.sendVersion} sends by default). */
  version = "SSH-2.0-Hostile_1.0";
  /** The victim's identification line. */
  peerVersion = "";
  /** Lines the victim sent before its identification line (a server's banner). */
  banner: string[] = [];
  /** The first exchange hash, once a key exchange has run. */
  sessionId?: Uint8Array;
  /** What the latest exchange negotiated. */
  negotiated?: Negotiated;
  /** Strict kex is on (both KEXINITs of the first exchange offered it). */
  strict = false;
  /** Every message the victim sent, in order (the ones a test skipped too). */
  readonly seen: Message[] = [];

  #socket: WritableStreamDefaultWriter<Uint8Array>;
  #readable: ReadableStream<Uint8Array>;
  #reader?: ReadableStreamDefaultReader<Uint8Array>;
  #deframer: PacketDeframer;
  #inbox: Packet[] = [];
  #wake?: () => void;
  #ended = false;
  #readError: unknown;
  #sealer: FrameSealer = new PlainFrameSealer();
  #nextSealer?: FrameSealer;
  #ourKexInit?: Uint8Array;
  #theirKexInit?: Uint8Array;
  #exchange?: KexExchange;
  #result?: KexResult;
  #algorithms: Required<PeerAlgorithms>;
  #written = 0;

  constructor(duplex: ByteDuplex, role: "client" | "server", algorithms: PeerAlgorithms = {}) {
    this.role = role;
    this.#socket = duplex.writable.getWriter();
    this.#socket.closed.catch(() => {});
    this.#readable = duplex.readable;
    this.#algorithms = { ...DEFAULT_ALGORITHMS };
    for (const [k, v] of Object.entries(algorithms)) {
      if (v !== undefined) this.#algorithms[k as keyof PeerAlgorithms] = v;
    }
    this.#deframer = new PacketDeframer((p) => {
      this.#inbox.push(p);
      this.#wake?.();
    });
  }

  /** Bytes written to the victim so far. */
  get written(): number {
    return this.#written;
  }

  /** The victim closed its end, or sent bytes we could not read (see `readError`). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Why reading stopped, when it was not a clean end of stream. */
  get readError(): unknown {
    return this.#readError;
  }

  /** How frames must be shaped for the keys now in use. */
  get shape(): FrameShape {
    return { blockSize: this.#sealer.blockSize, lengthInClear: this.#sealer.lengthInClear };
  }

  /** Writes raw bytes to the victim. Resolves once the duplex took them (its buffer has room). */
  async write(bytes: Uint8Array | string): Promise<void> {
    const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    this.#written += b.length;
    await this.#socket.write(b);
  }

  /** Closes our sending side (the victim reads the end of the stream). */
  async close(): Promise<void> {
    await this.#socket.close().catch(() => {});
  }

  /**
   * Drops the connection as a reset would: writes still pending are abandoned and nothing more
   * is read (the victim's writes fail).
   */
  hangUp(): void {
    // not awaited: an abort waits for a write the victim never takes
    this.#socket.abort(new Error("Hung up")).catch(() => {});
    (this.#reader ?? this.#readable).cancel().catch(() => {});
  }

  /** Sends our identification line (`line` as given, CR LF added to a string). */
  sendVersion(line: string | Uint8Array = this.version): Promise<void> {
    return this.write(typeof line === "string" ? line + "\r\n" : line);
  }

  /**
   * Reads the victim's identification line, then reads its packets in the background into an
   * inbox. Resolves with the line; rejects when the victim closes before sending one.
   */
  async readVersion(): Promise<string> {
    const reader = this.#reader = this.#readable.getReader();
    const v = await readVersionFrom(reader, { role: this.role });
    this.peerVersion = v.version;
    this.banner = v.banner;
    (async () => {
      try {
        await this.#deframer.push(v.leftover);
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          await this.#deframer.push(value);
        }
      } catch (e) {
        this.#readError = e;
      }
      this.#ended = true;
      this.#wake?.();
    })();
    return v.version;
  }

  /** Seals `f`, a whole plaintext frame, with the keys in use and sends it. */
  sendFrame(f: Uint8Array): Promise<void> {
    return this.write(this.#sealer.sealFrame(f));
  }

  /** Seals a payload framed as `shape` says (default: correctly) and sends it. */
  sendPayload(payload: Uint8Array, shape: Partial<FrameShape> = {}): Promise<void> {
    return this.sendFrame(frame(payload, { ...this.shape, ...shape }));
  }

  /** Sends a message, framed correctly. */
  send(message: Message): Promise<void> {
    return this.sendPayload(encodeMessage(message));
  }

  /** Seals a message (framed as `shape` says) and returns the bytes, unsent: to cut or flip. */
  seal(message: Message | Uint8Array, shape: Partial<FrameShape> = {}): Uint8Array {
    const payload = message instanceof Uint8Array ? message : encodeMessage(message);
    return this.#sealer.sealFrame(frame(payload, { ...this.shape, ...shape }));
  }

  /** Seals a whole plaintext frame with the keys in use and returns the bytes, unsent. */
  sealRaw(f: Uint8Array): Uint8Array {
    return this.#sealer.sealFrame(f);
  }

  /** The victim's next packet, or `undefined` once it has closed. */
  async nextPacket(): Promise<Packet | undefined> {
    while (this.#inbox.length === 0) {
      if (this.#ended) return undefined;
      await new Promise<void>((r) => (this.#wake = r));
    }
    return this.#inbox.shift()!;
  }

  /** The victim's next message (decoded with `context`), or `undefined` once it has closed. */
  async next(context: DecodeContext = {}): Promise<Message | undefined> {
    const p = await this.nextPacket();
    if (!p) return undefined;
    const m = decodeMessage(p.payload, { ...this.#exchange?.decodeContext, ...context });
    this.seen.push(m);
    return m;
  }

  /**
   * The victim's next message of `type`, skipping the ones a peer may always send (IGNORE,
   * DEBUG, EXT_INFO, a banner). Throws when the victim disconnects or closes first.
   */
  async expect<T extends Message["type"]>(
    type: T,
    context: DecodeContext = {},
  ): Promise<Message & { type: T }> {
    for (;;) {
      const m = await this.next(context);
      if (!m) throw new Error(`The victim closed while we waited for ${type}`);
      if (m.type === type) return m as Message & { type: T };
      if (m.type === "disconnect") {
        throw new Error(
          `The victim disconnected (reason ${m.reason}: ${m.description}) while we waited for ${type}`,
        );
      }
      if (!["ignore", "debug", "extInfo", "userauthBanner"].includes(m.type)) {
        throw new Error(`Expected ${type}, got ${m.type}`);
      }
    }
  }

  /**
   * Reads until the victim's DISCONNECT and returns it, or `undefined` when it closed without
   * one. Everything else it sent on the way is in {@linkcode HostilePeer.seen}.
   */
  async disconnect(context: DecodeContext = {}): Promise<Received | undefined> {
    for (;;) {
      let m: Message | undefined;
      try {
        m = await this.next(context);
      } catch {
        continue; // a message this peer cannot decode out of its context
      }
      if (!m) return undefined;
      if (m.type === "disconnect") return { reason: m.reason, description: m.description };
    }
  }

  // --- the key exchange, step by step ----------------------------------------------------

  /** Our KEXINIT: `overrides` replace fields of the one our algorithms make. */
  kexInit(overrides: Partial<KexInit> = {}, first = true): KexInit {
    const a = this.#algorithms;
    return {
      ...createKexInit({ ...a, compression: ["none"] }, { role: this.role, first }),
      ...overrides,
    };
  }

  /** Sends our KEXINIT (by default the one {@linkcode HostilePeer.kexInit} makes). */
  async sendKexInit(kexInit: KexInit = this.kexInit()): Promise<void> {
    this.#ourKexInit = encodeMessage(kexInit);
    await this.sendPayload(this.#ourKexInit);
  }

  /** Reads the victim's KEXINIT (it must be its next packet) and negotiates. */
  async readKexInit(): Promise<KexInit> {
    const p = await this.nextPacket();
    if (!p) throw new Error(`The victim closed before its KEXINIT`);
    const m = decodeMessage(p.payload);
    this.seen.push(m);
    if (m.type !== "kexInit") throw new Error(`Expected the victim's KEXINIT, got ${m.type}`);
    this.#theirKexInit = p.payload.slice();
    const ours = decodeMessage(this.#ourKexInit!) as KexInit;
    const first = this.sessionId === undefined;
    const [client, server] = this.role === "client" ? [ours, m] : [m, ours];
    this.negotiated = negotiate(client, server, { isAead, first });
    if (first) this.strict = this.negotiated.strictKex;
    const asClient = this.role === "client";
    const inputs = {
      clientVersion: asClient ? this.version : this.peerVersion,
      serverVersion: asClient ? this.peerVersion : this.version,
      clientKexInit: asClient ? this.#ourKexInit! : this.#theirKexInit,
      serverKexInit: asClient ? this.#theirKexInit : this.#ourKexInit!,
      hostKeyAlgorithm: this.negotiated.hostKey,
    };
    this.#exchange = asClient
      ? createClientExchange(this.negotiated.kex, inputs)
      : createServerExchange(this.negotiated.kex, {
        ...inputs,
        hostKey: await testKey(
          this.negotiated.hostKey.startsWith("rsa-") ? "ssh-rsa" : this.negotiated.hostKey,
        ),
      });
    return m;
  }

  /** Client: the method's first messages (to send, or to replace with hostile ones). */
  async exchangeStart(): Promise<Message[]> {
    return await this.#exchange!.start();
  }

  /**
   * Hands one of the victim's kex messages to our side of the method; returns our replies
   * unsent (to tamper with before sending). The exchange's result is kept for the keys.
   */
  async receiveKex(m: Message): Promise<Message[]> {
    const { reply, result } = await this.#exchange!.receive(m);
    if (result) this.#result = result;
    return reply;
  }

  /** Runs the method to its end: sends `first` (client), answers the victim, gets the result. */
  async exchange(first?: Message[]): Promise<void> {
    const ex = this.#exchange!;
    for (const m of first ?? (this.role === "client" ? await ex.start() : [])) await this.send(m);
    for (;;) {
      const p = await this.nextPacket();
      if (!p) throw new Error("The victim closed during the key exchange");
      const m = decodeMessage(p.payload, ex.decodeContext);
      this.seen.push(m);
      if (m.type === "disconnect") {
        throw new Error(`The victim disconnected during the key exchange: ${m.description}`);
      }
      const { reply, result } = await ex.receive(m);
      for (const r of reply) await this.send(r);
      if (result) {
        this.#result = result;
        return;
      }
    }
  }

  /** The two directions' keys of the finished exchange, as the victim derives them too. */
  keys(): { ours: DirectionKeys; theirs: DirectionKeys } {
    const n = this.negotiated!;
    const result = this.#result!;
    const sessionId = this.sessionId ?? result.exchangeHash;
    const c2s = keyLengths(n.cipherClientToServer, n.macClientToServer);
    const s2c = keyLengths(n.cipherServerToClient, n.macServerToClient);
    const k = deriveKeys(result, sessionId, {
      ivClientToServer: c2s.ivLength,
      keyClientToServer: c2s.keyLength,
      macKeyClientToServer: c2s.macKeyLength,
      ivServerToClient: s2c.ivLength,
      keyServerToClient: s2c.keyLength,
      macKeyServerToClient: s2c.macKeyLength,
    });
    return this.role === "client"
      ? { ours: k.clientToServer, theirs: k.serverToClient }
      : { ours: k.serverToClient, theirs: k.clientToServer };
  }

  /**
   * Sends NEWKEYS and switches our sending keys; installs the keys for the victim's NEWKEYS
   * (read by the inbox as it arrives).
   */
  async sendNewKeys(): Promise<void> {
    const n = this.negotiated!;
    const { ours, theirs } = this.keys();
    this.sessionId ??= this.#result!.exchangeHash.slice();
    const client = this.role === "client";
    const [sendCipher, sendMac] = client
      ? [n.cipherClientToServer, n.macClientToServer]
      : [n.cipherServerToClient, n.macServerToClient];
    const [readCipher, readMac] = client
      ? [n.cipherServerToClient, n.macServerToClient]
      : [n.cipherClientToServer, n.macClientToServer];
    this.#nextSealer = frameSealer(sendCipher, sendMac, ours);
    const backends = await defaultCipherBackends(); // the runtime's fastest, as a victim's
    this.#deframer.nextOpener(createOpener(readCipher, readMac, theirs, { backends }), {
      resetSequence: this.strict,
    });
    await this.send({ type: "newKeys" });
    const sequence = this.#sealer.sequence;
    this.#sealer = this.#nextSealer;
    this.#sealer.sequence = this.strict ? 0 : sequence;
  }

  /** Reads the victim's NEWKEYS (skipping nothing else). */
  async readNewKeys(): Promise<void> {
    const m = await this.next();
    if (m?.type !== "newKeys") throw new Error(`Expected NEWKEYS, got ${m?.type ?? "the end"}`);
  }

  /** The whole first exchange: versions, KEXINITs, the method, NEWKEYS both ways. */
  async handshake(): Promise<void> {
    await this.sendVersion();
    await this.readVersion();
    await this.sendKexInit();
    await this.readKexInit();
    await this.exchange();
    await this.sendNewKeys();
    await this.readNewKeys();
  }

  /** A re-exchange after the first: our KEXINIT, theirs, the method, NEWKEYS both ways. */
  async rekey(): Promise<void> {
    await this.sendKexInit(this.kexInit({}, false));
    await this.readKexInit();
    await this.exchange();
    await this.sendNewKeys();
    await this.readNewKeys();
  }
}
