/**
 * The client's publickey method (RFC 4252 §7). Each key (the application's identities, then the
 * agent's, each once) is first offered as a query, with the signature algorithm chosen from the
 * server's `server-sig-algs`; only a key the server answers with PK_OK is signed, over the
 * session identifier and the request, so agents and security keys are asked only when the
 * signature can succeed.
 * @module
 */
import type { PublicKey, Signer } from "@hush/keys";
import { bytesEqual } from "@hush/wire";
import { agentSigner } from "./agent_client.ts";
import { chooseSignatureAlgorithm } from "./algorithms.ts";
import { type ClientMethodContext, expectFinal, type Outcome } from "./client_method.ts";
import { AuthError } from "./errors.ts";
import { publickeySignedData } from "./signed_data.ts";

/** What publickey remembers between tries: the keys to offer, listed once, and the next one. */
export interface ClientPublickeyState {
  /** The candidate keys, once listed. */
  keys: Signer[] | undefined;
  /** The index in `keys` of the next key to offer. */
  next: number;
}

/**
 * Offers the next key: a query, then on PK_OK the signed request. `skipped` when no key is
 * left to offer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey } from "@hush/keys";
 * import type { Message } from "@hush/wire";
 * import type { ClientMethodContext, MethodRequest } from "./client_method.ts";
 * import { publickeyOutcome } from "./client_publickey.ts";
 * const key = await generateKey("ssh-ed25519");
 * const replies: Message[] = [
 *   { type: "userauthPkOk", algorithm: "ssh-ed25519", publicKey: key.publicKey.blob }, // to the query
 *   { type: "userauthSuccess" }, // to the signed request
 * ];
 * const sent: MethodRequest[] = [];
 * const ctx = {
 *   options: { user: "alice", sessionId: new Uint8Array(32), identities: [key] },
 *   service: "ssh-connection",
 *   inbox: { guard: <T>(p: Promise<T>) => p },
 *   attempt: () => {},
 *   trace: () => {},
 *   sendRequest: (r: MethodRequest) => Promise.resolve(void sent.push(r)),
 *   reply: () => Promise.resolve(replies.shift()!),
 * } as unknown as ClientMethodContext;
 * assert.deepEqual(await publickeyOutcome(ctx, { keys: undefined, next: 0 }), { kind: "success" });
 * assert.equal(sent.length, 2);
 * assert.ok(sent[1].method === "publickey" && sent[1].signature); // the second one is signed
 * ```
 */
export async function publickeyOutcome(
  ctx: ClientMethodContext,
  state: ClientPublickeyState,
): Promise<Outcome> {
  const keys = await candidateKeys(ctx, state);
  while (state.next < keys.length) {
    const signer = keys[state.next++];
    const key = signer.publicKey;
    const algorithm = chooseSignatureAlgorithm(key, ctx.options.serverSigAlgs);
    const name = `${key.type} ${key.fingerprint()}`;
    if (algorithm === undefined) {
      ctx.trace(`Skipping ${name}: no signature algorithm the server accepts`);
      continue;
    }
    ctx.attempt("publickey");
    ctx.trace(`Offering public key: ${name}`);
    await ctx.sendRequest({ method: "publickey", algorithm, publicKey: key.blob });
    const answer = await ctx.reply("publickey");
    if (answer.type === "userauthSuccess") {
      throw new AuthError("Server sent USERAUTH_SUCCESS in reply to an unsigned publickey query");
    }
    if (answer.type !== "userauthPkOk") return expectFinal(answer, "a publickey query");
    if (answer.algorithm !== algorithm || !bytesEqual(answer.publicKey, key.blob)) {
      throw new AuthError("Server sent USERAUTH_PK_OK for a key that was not offered");
    }
    ctx.trace(`Server accepts key: ${name}`);
    const data = publickeySignedData({
      sessionId: ctx.options.sessionId,
      user: ctx.options.user,
      service: ctx.service,
      algorithm,
      publicKey: key.blob,
    });
    let signature: Uint8Array;
    try {
      signature = await ctx.inbox.guard(signer.sign(data, algorithm));
    } catch (e) {
      if (ctx.options.signal?.aborted) throw e;
      ctx.trace(`Signing failed for ${name}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    await ctx.sendRequest({ method: "publickey", algorithm, publicKey: key.blob, signature });
    return expectFinal(await ctx.reply("publickey"), "a publickey request");
  }
  return { kind: "skipped" };
}

/** The keys to offer: `identities`, then the agent's not already among them (listed once). */
async function candidateKeys(
  ctx: ClientMethodContext,
  state: ClientPublickeyState,
): Promise<Signer[]> {
  if (state.keys) return state.keys;
  const keys: Signer[] = [];
  const seen: PublicKey[] = [];
  const add = (signer: Signer) => {
    if (seen.some((k) => bytesEqual(k.blob, signer.publicKey.blob))) return;
    seen.push(signer.publicKey);
    keys.push(signer);
  };
  for (const signer of ctx.options.identities ?? []) add(signer);
  const agent = ctx.options.agent;
  if (agent) {
    try {
      const listed = await ctx.inbox.guard(agent.identities());
      for (const { key } of listed) add(agentSigner(agent, key));
    } catch (e) {
      if (ctx.options.signal?.aborted) throw e;
      ctx.trace(`Cannot list agent keys: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  state.keys = keys;
  return keys;
}
