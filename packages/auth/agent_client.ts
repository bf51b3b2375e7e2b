/**
 * A client for the ssh-agent protocol (OpenSSH PROTOCOL.agent, draft-miller-ssh-agent) over any
 * byte duplex, and a {@linkcode Signer} for keys held by an agent.
 * @module
 */
import { parsePublicKey, type PublicKey, type Signer } from "@hush/keys";
import { type ByteDuplex, DisconnectReason, SshReader, SshWriter, WireError } from "@hush/wire";
import { plain } from "./algorithms.ts";
import { AuthError } from "./errors.ts";

/**
 * Message numbers of the agent protocol used here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AgentMessage } from "@hush/auth";
 * assert.equal(AgentMessage.SIGN_REQUEST, 13);
 * ```
 */
export const AgentMessage = {
  FAILURE: 5,
  SUCCESS: 6,
  REQUEST_IDENTITIES: 11,
  IDENTITIES_ANSWER: 12,
  SIGN_REQUEST: 13,
  SIGN_RESPONSE: 14,
  ADD_IDENTITY: 17,
  REMOVE_IDENTITY: 18,
  REMOVE_ALL_IDENTITIES: 19,
  ADD_ID_CONSTRAINED: 25,
  EXTENSION_FAILURE: 28,
} as const;

/**
 * Flags of SSH_AGENTC_SIGN_REQUEST choosing the RSA signature hash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AgentSignFlag } from "@hush/auth";
 * assert.equal(AgentSignFlag.RSA_SHA2_512, 4);
 * ```
 */
export const AgentSignFlag = { RSA_SHA2_256: 2, RSA_SHA2_512: 4 } as const;

/**
 * Largest agent message accepted or sent, in bytes (the length field's value), like OpenSSH's
 * AGENT_MAX_LEN. A longer frame from the agent ends the agent connection with an AuthError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AGENT_FRAME_LIMIT } from "@hush/auth";
 * assert.equal(AGENT_FRAME_LIMIT, 262144);
 * ```
 */
export const AGENT_FRAME_LIMIT = 256 * 1024;

/**
 * One key an agent holds.
 *
 * @example
 * ```ts
 * import type { AgentIdentity } from "@hush/auth";
 * const describe = (id: AgentIdentity): string => `${id.key.fingerprint()} ${id.comment}`;
 * ```
 */
export interface AgentIdentity {
  /** The public key (or certificate). */
  key: PublicKey;
  /** The comment the key was added with (often a file name). */
  comment: string;
}

/**
 * What authentication needs from an ssh-agent: its keys and signatures with them.
 *
 * @example
 * ```ts
 * import type { AgentClient } from "@hush/auth";
 * async function listKeys(agent: AgentClient): Promise<string[]> {
 *   return (await agent.identities()).map((i) => i.key.fingerprint());
 * }
 * ```
 */
export interface AgentClient {
  /** The keys the agent holds; keys of types this library cannot parse are left out. */
  identities(): Promise<AgentIdentity[]>;
  /**
   * Signs `data` with the agent's private key for `key`; returns the SSH signature blob.
   * `algorithm` picks rsa-sha2-256/512 for RSA keys (default: the key's best algorithm).
   */
  sign(key: PublicKey, data: Uint8Array, algorithm?: string): Promise<Uint8Array>;
}

/**
 * Constraints for {@linkcode SshAgentClient.add}.
 *
 * @example
 * ```ts
 * import type { AgentConstraints } from "@hush/auth";
 * const constraints: AgentConstraints = { lifetime: 3600, confirm: true };
 * ```
 */
export interface AgentConstraints {
  /** Seconds until the agent forgets the key. */
  lifetime?: number;
  /** Ask the user (ssh-askpass) before each use. */
  confirm?: boolean;
}

/**
 * The agent client {@linkcode createAgentClient} returns: the basics plus key management.
 *
 * @example
 * ```ts
 * import type { SshAgentClient } from "@hush/auth";
 * async function forgetAll(agent: SshAgentClient): Promise<void> {
 *   await agent.removeAll();
 *   await agent.close();
 * }
 * ```
 */
export interface SshAgentClient extends AgentClient {
  /**
   * Adds a private key. `keyData` is the key type name followed by its private fields exactly as
   * PROTOCOL.agent lays them out for SSH_AGENTC_ADD_IDENTITY (for ssh-ed25519: string type,
   * string public key, string 64-byte private key).
   */
  add(keyData: Uint8Array, comment: string, constraints?: AgentConstraints): Promise<void>;
  /** Removes one key. */
  remove(key: PublicKey): Promise<void>;
  /** Removes every key. */
  removeAll(): Promise<void>;
  /** Closes the connection to the agent; later calls fail with an AuthError. */
  close(): Promise<void>;
}

/**
 * Talks to an ssh-agent over `duplex`. Requests are answered one at a time, in order. Frames
 * are bounded by {@linkcode AGENT_FRAME_LIMIT}; a malformed, oversized or unexpected reply is an
 * {@linkcode AuthError} (and breaks the connection when the framing is lost), never a crash.
 *
 * @example Not run here: it needs a running ssh-agent
 * ```ts ignore
 * import { createAgentClient } from "@hush/auth";
 * // Any byte duplex to the agent: `connectUnix(SSH_AUTH_SOCK)` from @hush/ssh's adapters does
 * // this (and `connectAgent()` returns the client directly).
 * const agent = createAgentClient(duplex);
 * for (const { key, comment } of await agent.identities()) console.log(key.fingerprint(), comment);
 * await agent.close();
 * ```
 */
export function createAgentClient(duplex: ByteDuplex): SshAgentClient {
  return new AgentConnection(duplex);
}

/**
 * A {@linkcode Signer} whose private key stays in the agent, for `identities` lists.
 *
 * @example Not run here: it needs a running ssh-agent
 * ```ts ignore
 * import { agentSigner, createAgentClient } from "@hush/auth";
 * const agent = createAgentClient(duplex);
 * const signers = (await agent.identities()).map((i) => agentSigner(agent, i.key));
 * ```
 */
export function agentSigner(agent: AgentClient, key: PublicKey): Signer {
  return {
    publicKey: key,
    sign: (data: Uint8Array, algorithm?: string) => agent.sign(key, data, algorithm),
  };
}

class AgentConnection implements SshAgentClient {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #buffer = new Uint8Array(0);
  #queue: Promise<unknown> = Promise.resolve();
  #broken: AuthError | undefined;

  constructor(duplex: ByteDuplex) {
    this.#reader = duplex.readable.getReader();
    this.#writer = duplex.writable.getWriter();
  }

  async identities(): Promise<AgentIdentity[]> {
    const reply = await this.#request(new SshWriter(8).byte(AgentMessage.REQUEST_IDENTITIES));
    return parseReply(reply, AgentMessage.IDENTITIES_ANSWER, "identities", (r) => {
      const count = r.uint32();
      // Each identity takes at least two length fields: reject counts the frame cannot hold.
      if (count > r.remaining / 8) throw new WireError(`Identity count ${count} exceeds the reply`);
      const out: AgentIdentity[] = [];
      for (let i = 0; i < count; i++) {
        const blob = r.string();
        const comment = r.utf8();
        let key: PublicKey;
        try {
          key = parsePublicKey(blob.slice());
        } catch {
          continue; // a key type this library does not know
        }
        out.push({ key, comment });
      }
      r.end();
      return out;
    });
  }

  async sign(key: PublicKey, data: Uint8Array, algorithm?: string): Promise<Uint8Array> {
    const alg = algorithm ?? key.signatureAlgorithms[0];
    if (alg !== undefined && !key.signatureAlgorithms.includes(alg)) {
      throw new TypeError(`Key type ${key.type} cannot sign with ${alg}`);
    }
    const w = new SshWriter(data.length + key.blob.length + 32)
      .byte(AgentMessage.SIGN_REQUEST)
      .string(key.blob)
      .string(data)
      .uint32(signFlags(alg));
    const reply = await this.#request(w);
    return parseReply(reply, AgentMessage.SIGN_RESPONSE, "sign", (r) => {
      const signature = r.string().slice();
      r.end();
      const sigAlg = new SshReader(signature).ascii();
      if (alg !== undefined && sigAlg !== plain(alg)) {
        throw new WireError(`Agent signed with ${sigAlg} instead of ${plain(alg)}`);
      }
      return signature;
    });
  }

  async add(
    keyData: Uint8Array,
    comment: string,
    constraints: AgentConstraints = {},
  ): Promise<void> {
    const constrained = constraints.lifetime !== undefined || constraints.confirm === true;
    const w = new SshWriter(keyData.length + 64)
      .byte(constrained ? AgentMessage.ADD_ID_CONSTRAINED : AgentMessage.ADD_IDENTITY)
      .raw(keyData)
      .string(comment);
    if (constraints.lifetime !== undefined) {
      if (!Number.isInteger(constraints.lifetime) || constraints.lifetime < 0) {
        throw new RangeError("Agent key lifetime must be a whole number of seconds");
      }
      w.byte(1).uint32(constraints.lifetime);
    }
    if (constraints.confirm) w.byte(2);
    await this.#expectSuccess(w, "add");
  }

  async remove(key: PublicKey): Promise<void> {
    await this.#expectSuccess(
      new SshWriter(key.blob.length + 8).byte(AgentMessage.REMOVE_IDENTITY).string(key.blob),
      "remove",
    );
  }

  async removeAll(): Promise<void> {
    await this.#expectSuccess(
      new SshWriter(8).byte(AgentMessage.REMOVE_ALL_IDENTITIES),
      "remove all",
    );
  }

  async close(): Promise<void> {
    this.#broken ??= new AuthError("Agent connection closed", DisconnectReason.BY_APPLICATION);
    await this.#reader.cancel().catch(() => {});
    await this.#writer.close().catch(() => {});
  }

  async #expectSuccess(w: SshWriter, what: string): Promise<void> {
    const reply = await this.#request(w);
    parseReply(reply, AgentMessage.SUCCESS, what, (r) => r.end());
  }

  /** Sends one request and returns the reply payload, one request at a time. */
  #request(w: SshWriter): Promise<Uint8Array> {
    const run = async (): Promise<Uint8Array> => {
      if (this.#broken) throw this.#broken;
      const body = w.finish();
      if (body.length > AGENT_FRAME_LIMIT) {
        throw new RangeError(`Agent request of ${body.length} bytes exceeds ${AGENT_FRAME_LIMIT}`);
      }
      const frame = new Uint8Array(4 + body.length);
      new DataView(frame.buffer).setUint32(0, body.length);
      frame.set(body, 4);
      try {
        await this.#writer.write(frame);
        const header = await this.#readExact(4);
        const length = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
        if (length === 0 || length > AGENT_FRAME_LIMIT) {
          throw new AuthError(`Agent sent a frame of ${length} bytes (limit ${AGENT_FRAME_LIMIT})`);
        }
        return await this.#readExact(length);
      } catch (e) {
        this.#broken = e instanceof AuthError ? e : new AuthError(
          "Agent connection failed",
          DisconnectReason.CONNECTION_LOST,
          { cause: e },
        );
        await this.#reader.cancel().catch(() => {});
        throw this.#broken;
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }

  async #readExact(n: number): Promise<Uint8Array> {
    while (this.#buffer.length < n) {
      const { done, value } = await this.#reader.read();
      if (done) {
        throw new AuthError("Agent closed the connection", DisconnectReason.CONNECTION_LOST);
      }
      const joined = new Uint8Array(this.#buffer.length + value.length);
      joined.set(this.#buffer);
      joined.set(value, this.#buffer.length);
      this.#buffer = joined;
    }
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }
}

function signFlags(algorithm: string | undefined): number {
  switch (algorithm === undefined ? undefined : plain(algorithm)) {
    case "rsa-sha2-256":
      return AgentSignFlag.RSA_SHA2_256;
    case "rsa-sha2-512":
      return AgentSignFlag.RSA_SHA2_512;
    default:
      return 0;
  }
}

function parseReply<T>(
  payload: Uint8Array,
  expected: number,
  what: string,
  parse: (r: SshReader) => T,
): T {
  const type = payload[0];
  if (
    type === AgentMessage.FAILURE || type === AgentMessage.EXTENSION_FAILURE
  ) {
    throw new AuthError(`Agent refused the ${what} request`, DisconnectReason.BY_APPLICATION);
  }
  if (type !== expected) {
    throw new AuthError(`Unexpected agent reply ${type} to the ${what} request`);
  }
  try {
    const r = new SshReader(payload);
    r.byte();
    return parse(r);
  } catch (e) {
    const why = e instanceof WireError ? e.message : "malformed";
    throw new AuthError(`Malformed agent reply to the ${what} request: ${why}`, undefined, {
      cause: e,
    });
  }
}
