/**
 * The server's publickey method (RFC 4252 §7). As OpenSSH does, a query (a key offered without
 * a signature) is answered with PK_OK only when authorized_keys or the application's callback
 * would accept that key, so clients sign only with a key that can succeed (no needless agent
 * confirmations or security-key touches). A signed request is verified before either decides.
 * @module
 */
import { parsePublicKey, type PublicKey } from "@hush/keys";
import type { UserauthRequest } from "@hush/wire";
import type {
  AuthorizedKeyOptions,
  authorizedKeysChecker,
  PublickeyContext,
} from "./authorized_keys.ts";
import { AuthError } from "./errors.ts";
import type { ServerMethodContext, Verdict } from "./server_method.ts";
import { publickeySignedData } from "./signed_data.ts";
import { printable } from "./user_name.ts";

/** What publickey remembers for the current user and service. */
export interface PublickeyState {
  /** Keys that already succeeded (a `required` list may not use one twice). */
  readonly usedKeys: readonly PublicKey[];
  /** The authorized_keys check, when configured. */
  readonly checkAuthorizedKeys: ReturnType<typeof authorizedKeysChecker> | undefined;
}

/**
 * Checks one publickey request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, type PublicKey } from "@hush/keys";
 * import type { Message } from "@hush/wire";
 * import type { ServerMethodContext } from "./server_method.ts";
 * import { publickeyVerdict } from "./server_publickey.ts";
 * const key = await generateKey("ssh-ed25519");
 * const sent: Message[] = [];
 * const ctx = {
 *   options: {
 *     sessionId: new Uint8Array(32),
 *     publickey: (_user: string, k: PublicKey) => k.equals(key.publicKey),
 *   },
 *   inbox: { guard: <T>(p: Promise<T>) => p },
 *   send: (m: Message) => Promise.resolve(void sent.push(m)),
 *   trace: () => {},
 * } as unknown as ServerMethodContext;
 * // The client's query: may I use this key? (no signature yet)
 * const query = {
 *   type: "userauthRequest", user: "alice", service: "ssh-connection",
 *   method: "publickey", algorithm: "ssh-ed25519", publicKey: key.publicKey.blob,
 * } as const;
 * const keys = { usedKeys: [], checkAuthorizedKeys: undefined };
 * assert.deepEqual(await publickeyVerdict(ctx, query, keys), { kind: "answered" });
 * assert.equal(sent[0].type, "userauthPkOk");
 * ```
 */
export async function publickeyVerdict(
  ctx: ServerMethodContext,
  r: UserauthRequest & { method: "publickey" },
  keys: PublickeyState,
): Promise<Verdict> {
  let key: PublicKey;
  try {
    key = parsePublicKey(r.publicKey.slice());
  } catch {
    ctx.trace(`Cannot parse the ${printable(r.algorithm)} key from ${r.user}`);
    return { kind: "failure" };
  }
  const accepted = ctx.options.publickeyAlgorithms;
  if (
    !key.signatureAlgorithms.includes(r.algorithm) ||
    (accepted && !accepted.includes(r.algorithm))
  ) {
    ctx.trace(`Refusing ${printable(r.algorithm)} for a ${key.type} key`);
    return { kind: "failure" };
  }
  if (keys.usedKeys.some((k) => k.equals(key))) {
    ctx.trace(`Key ${key.fingerprint()} was already used`);
    return { kind: "failure" };
  }
  if (r.signature === undefined) {
    if (!ctx.options.pkOkForAnyKey && !await acceptance(ctx, r.user, key, keys, false)) {
      ctx.trace(`Key ${key.type} ${key.fingerprint()} is not authorized for ${r.user}`);
      return { kind: "failure" };
    }
    ctx.trace(`Postponed publickey for ${r.user}: ${key.type} ${key.fingerprint()}`);
    await ctx.send({ type: "userauthPkOk", algorithm: r.algorithm, publicKey: r.publicKey });
    return { kind: "answered" };
  }
  const data = publickeySignedData({
    sessionId: ctx.options.sessionId,
    user: r.user,
    service: r.service,
    algorithm: r.algorithm,
    publicKey: r.publicKey,
  });
  let valid = false;
  try {
    valid = await ctx.inbox.guard(key.verify(r.algorithm, r.signature, data));
  } catch (e) {
    if (e instanceof AuthError) throw e;
    valid = false;
  }
  if (!valid) {
    ctx.trace(`Bad signature from ${r.user} for ${key.type} ${key.fingerprint()}`);
    return { kind: "failure" };
  }
  const options = await acceptance(ctx, r.user, key, keys, true);
  if (!options) return { kind: "failure" };
  return options === true ? { kind: "success", key } : { kind: "success", key, options };
}

/** Whether authorized_keys (first) or the application's callback accepts `key` for `user`. */
async function acceptance(
  ctx: ServerMethodContext,
  user: string,
  key: PublicKey,
  keys: PublickeyState,
  signed: boolean,
): Promise<boolean | AuthorizedKeyOptions> {
  const context: PublickeyContext = {
    remoteAddress: ctx.options.remoteAddress,
    now: ctx.options.now?.() ?? Date.now(),
    signed,
  };
  if (keys.checkAuthorizedKeys) {
    const options = await ctx.inbox.guard(keys.checkAuthorizedKeys(user, key, context));
    if (options) return options;
  }
  if (ctx.options.publickey) {
    const answer = await ctx.inbox.guard(
      Promise.resolve(ctx.options.publickey(user, key, context)),
    );
    if (answer) return answer;
  }
  return false;
}
