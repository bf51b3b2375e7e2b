/**
 * The server's publickey method (RFC 4252 §7): a query is answered with PK_OK for any
 * well-formed key; a signed request is verified before authorized_keys or the application's
 * callback decide.
 * @module
 */
import { parsePublicKey, type PublicKey } from "@hush/keys";
import type { UserauthRequest } from "@hush/wire";
import type { authorizedKeysChecker, PublickeyContext } from "./authorized_keys.ts";
import { AuthError } from "./errors.ts";
import type { ServerMethodContext, Verdict } from "./server_method.ts";
import { publickeySignedData } from "./signed_data.ts";

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
 * ```ts ignore
 * const verdict = await publickeyVerdict(ctx, request, { usedKeys, checkAuthorizedKeys });
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
    ctx.trace(`Cannot parse the ${r.algorithm} key from ${r.user}`);
    return { kind: "failure" };
  }
  const accepted = ctx.options.publickeyAlgorithms;
  if (
    !key.signatureAlgorithms.includes(r.algorithm) ||
    (accepted && !accepted.includes(r.algorithm))
  ) {
    ctx.trace(`Refusing ${r.algorithm} for a ${key.type} key`);
    return { kind: "failure" };
  }
  if (keys.usedKeys.some((k) => k.equals(key))) {
    ctx.trace(`Key ${key.fingerprint()} was already used`);
    return { kind: "failure" };
  }
  if (r.signature === undefined) {
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
  const context: PublickeyContext = {
    remoteAddress: ctx.options.remoteAddress,
    now: ctx.options.now?.() ?? Date.now(),
  };
  if (keys.checkAuthorizedKeys) {
    const options = await ctx.inbox.guard(keys.checkAuthorizedKeys(r.user, key, context));
    if (options) return { kind: "success", key, options };
  }
  if (ctx.options.publickey) {
    const answer = await ctx.inbox.guard(
      Promise.resolve(ctx.options.publickey(r.user, key, context)),
    );
    if (answer === true) return { kind: "success", key };
    if (answer) return { kind: "success", key, options: answer };
  }
  return { kind: "failure" };
}
