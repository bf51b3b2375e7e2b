/**
 * Test support (not published): a client that runs real key exchanges (the transport's own
 * {@linkcode KexRound}) but sends whatever a test scripts, when it scripts it — for peers in the
 * field that bend the rules after the first exchange, such as sending connection messages
 * during their own re-exchange. It talks to a real Hush server transport (the "victim").
 * @module
 */
import {
  decodeMessage,
  encodeMessage,
  type KexInit,
  type Message,
  type Packet,
  PacketDeframer,
  PacketWriter,
  readVersionFrom,
} from "@hush/wire";
import { resolvePreferences } from "../algorithms.ts";
import { compressionMethod } from "../compression.ts";
import { KexRound } from "../kex_round.ts";
import { startTransport, type Transport, type TransportOptions } from "../mod.ts";
import { type MemoryDuplex, memoryDuplexPair } from "../testing.ts";
import { hostKey } from "./transport_pair.ts";

/** A scripted client with real keys. */
export class ScriptedClient {
  readonly version = "SSH-2.0-Scripted_1.0";
  #duplex: MemoryDuplex;
  #writer = new PacketWriter();
  #deframer: PacketDeframer;
  #inbox: Packet[] = [];
  #wake?: () => void;
  #ended = false;
  #round?: KexRound;
  #sessionId?: Uint8Array;
  #strict = false;
  #peerVersion = "";
  #prefs;

  /** A client on `duplex` offering `compression` (default `none`; `zlib` starts at NEWKEYS). */
  constructor(duplex: MemoryDuplex, compression: string[] = ["none"]) {
    this.#duplex = duplex;
    this.#prefs = resolvePreferences({
      role: "client",
      algorithms: {
        kex: ["curve25519-sha256"],
        ciphers: ["chacha20-poly1305@openssh.com"],
        compression,
      },
    });
    this.#deframer = new PacketDeframer((p) => {
      this.#inbox.push(p);
      this.#wake?.();
    });
  }

  /** Version lines, then packets read in the background into an inbox. */
  async start(): Promise<void> {
    const w = this.#duplex.writable.getWriter();
    await w.write(new TextEncoder().encode(this.version + "\r\n"));
    w.releaseLock();
    this.#writer.readable.pipeTo(this.#duplex.writable).catch(() => {});
    const reader = this.#duplex.readable.getReader();
    const v = await readVersionFrom(reader, { role: "client" });
    this.#peerVersion = v.version;
    (async () => {
      try {
        await this.#deframer.push(v.leftover);
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          await this.#deframer.push(value);
        }
      } catch { /* the victim closed on us */ }
      this.#ended = true;
      this.#wake?.();
    })();
  }

  /** The victim's next message, or `undefined` once it has closed. */
  async next(): Promise<Message | undefined> {
    while (this.#inbox.length === 0) {
      if (this.#ended) return undefined;
      await new Promise<void>((r) => (this.#wake = r));
    }
    const p = this.#inbox.shift()!;
    return decodeMessage(p.payload, this.#round?.exchange?.decodeContext ?? {});
  }

  /** The victim's next message of `type`, skipping others (IGNORE, EXT_INFO, …). */
  async expect<T extends Message["type"]>(type: T): Promise<Message & { type: T }> {
    for (;;) {
      const m = await this.next();
      if (!m) throw new Error(`Closed while waiting for ${type}`);
      if (m.type === type) return m as Message & { type: T };
    }
  }

  /** Sends `m` with the keys in use. */
  send(m: Message): Promise<void> {
    return this.#writer.write(encodeMessage(m));
  }

  /** Sends our KEXINIT (a new round), as a peer that starts a rekey. */
  async beginKex(): Promise<void> {
    this.#round = new KexRound({
      role: "client",
      ourVersion: this.version,
      prefs: this.#prefs,
      random: (n) => crypto.getRandomValues(new Uint8Array(n)),
      trace: () => {},
      first: this.#sessionId === undefined,
    });
    await this.#writer.write(this.#round.oursPayload);
  }

  /**
   * Finishes the round begun by {@linkcode ScriptedClient.beginKex}: reads the victim's
   * KEXINIT, runs the method, sends NEWKEYS, and switches keys at the victim's NEWKEYS.
   */
  async finishKex(): Promise<void> {
    const round = this.#round!;
    const peers = await this.#expectPacket(20);
    const kexInit = decodeMessage(peers.payload) as KexInit;
    for (const p of await round.onKexInit(kexInit, peers, this.#peerVersion)) {
      await this.#writer.write(p);
    }
    for (;;) {
      const reply = await this.#expectPacket();
      const m = decodeMessage(reply.payload, round.exchange!.decodeContext);
      const { replies, finished } = await round.onKexMessage(m);
      for (const p of replies) await this.#writer.write(p);
      if (finished) break;
    }
    const keys = await round.newKeys({
      sessionId: this.#sessionId,
      verifyHostKey: () => {},
    });
    this.#sessionId ??= keys.sessionId;
    // strict kex (both sides offered it in the first KEXINIT) restarts the sequence numbers at
    // every NEWKEYS, for the life of the connection (OpenSSH PROTOCOL)
    if (round.first) this.#strict = round.strictKex;
    // `zlib` only: a scripted client never authenticates for zlib@openssh.com's sake
    const out = compressionMethod(round.negotiated!.compressionClientToServer);
    const back = compressionMethod(round.negotiated!.compressionServerToClient);
    this.#writer.nextSealer(keys.sealer, {
      resetSequence: this.#strict,
      compressor: out.start === "newkeys" ? out.compressor!() : undefined,
    });
    this.#deframer.nextOpener(keys.opener, {
      resetSequence: this.#strict,
      decompressor: back.start === "newkeys" ? back.decompressor!() : undefined,
    });
    await this.#writer.write(encodeMessage({ type: "newKeys" }));
    await this.#expectPacket(21);
  }

  /** The next packet, skipping IGNORE and EXT_INFO; with `number`, it must be that one. */
  async #expectPacket(number?: number): Promise<Packet> {
    for (;;) {
      while (this.#inbox.length === 0) {
        if (this.#ended) throw new Error("The victim closed");
        await new Promise<void>((r) => (this.#wake = r));
      }
      const p = this.#inbox.shift()!;
      if (p.payload[0] === 2 || p.payload[0] === 7) continue;
      if (number !== undefined && p.payload[0] !== number) {
        throw new Error(`Expected message ${number}, got ${p.payload[0]}`);
      }
      return p;
    }
  }
}

/**
 * A Hush server transport and a {@linkcode ScriptedClient} with the first key exchange done and
 * `none` authentication accepted, so that connection messages flow.
 */
export async function scriptedAndVictim(
  options: Partial<TransportOptions> = {},
  compression?: string[],
): Promise<{ victim: Transport; peer: ScriptedClient }> {
  const [a, b] = memoryDuplexPair();
  const peer = new ScriptedClient(a, compression);
  const victimStarting = startTransport(b, {
    role: "server",
    hostKeys: [await hostKey()],
    ...options,
  });
  await peer.start();
  await peer.beginKex();
  await peer.finishKex();
  const victim = await victimStarting;
  await peer.send({ type: "serviceRequest", service: "ssh-userauth" });
  await peer.expect("serviceAccept");
  await peer.send({
    type: "userauthRequest",
    user: "u",
    service: "ssh-connection",
    method: "none",
  });
  const r = victim.messages.getReader();
  await r.read();
  r.releaseLock();
  await victim.authenticated();
  await peer.expect("userauthSuccess");
  return { victim, peer };
}
