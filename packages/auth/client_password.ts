/**
 * The client's password method (RFC 4252 §8), with the password change an expired password
 * asks for (SSH_MSG_USERAUTH_PASSWD_CHANGEREQ).
 * @module
 */
import { type ClientMethodContext, expectFinal, type Outcome } from "./client_method.ts";

/** What password remembers between tries. */
export interface ClientPasswordState {
  /** Passwords sent so far (a fixed password is sent once; a callback up to `passwordPrompts`). */
  attempts: number;
}

/**
 * Sends the password (asking the callback for it), and answers change requests with the new
 * password from `changePassword`. `skipped` when there is no password to send.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ClientMethodContext, MethodRequest } from "./client_method.ts";
 * import { passwordOutcome } from "./client_password.ts";
 * const sent: MethodRequest[] = [];
 * const ctx = {
 *   options: { user: "alice", sessionId: new Uint8Array(32), password: "wonderland" },
 *   attempt: () => {},
 *   trace: () => {},
 *   sendRequest: (r: MethodRequest) => Promise.resolve(void sent.push(r)),
 *   reply: () => Promise.resolve({ type: "userauthSuccess" }),
 * } as unknown as ClientMethodContext;
 * assert.deepEqual(await passwordOutcome(ctx, { attempts: 0 }), { kind: "success" });
 * assert.deepEqual(sent, [{ method: "password", password: "wonderland" }]);
 * // A fixed password is sent once.
 * assert.deepEqual(await passwordOutcome(ctx, { attempts: 1 }), { kind: "skipped" });
 * ```
 */
export async function passwordOutcome(
  ctx: ClientMethodContext,
  state: ClientPasswordState,
): Promise<Outcome> {
  const source = ctx.options.password;
  if (source === undefined) return { kind: "skipped" };
  let password: string | undefined;
  if (typeof source === "string") {
    password = state.attempts === 0 ? source : undefined;
  } else {
    password = await ctx.ask(() => source());
  }
  if (password === undefined) return { kind: "skipped" };
  state.attempts++;
  ctx.attempt("password");
  ctx.trace("Trying password authentication");
  await ctx.sendRequest({ method: "password", password });
  const prompts = ctx.options.passwordPrompts ?? 3;
  for (let changes = 0;; changes++) {
    const m = await ctx.reply("password");
    if (m.type !== "userauthPasswdChangereq") return expectFinal(m, "a password request");
    ctx.trace("Server requests a password change");
    const change = ctx.options.changePassword;
    const newPassword = change && changes < prompts
      ? await ctx.ask(() => change({ prompt: m.prompt }))
      : undefined;
    if (newPassword === undefined) {
      // Nothing more to say with passwords; the server waits for another request.
      ctx.exhaust("password");
      return { kind: "failure", methods: ctx.canContinue(), partialSuccess: false };
    }
    await ctx.sendRequest({ method: "password", password, newPassword });
  }
}
