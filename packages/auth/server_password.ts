/**
 * The server's password method (RFC 4252 §8), with the password change an expired password
 * asks for (SSH_MSG_USERAUTH_PASSWD_CHANGEREQ).
 * @module
 */
import type { UserauthRequest } from "@hush/wire";
import type { ServerMethodContext, Verdict } from "./server_method.ts";

/**
 * Checks one password request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ServerMethodContext } from "./server_method.ts";
 * import { passwordVerdict } from "./server_password.ts";
 * const ctx = {
 *   options: { sessionId: new Uint8Array(32), password: (_user: string, pw: string) => pw === "wonderland" },
 *   inbox: { guard: <T>(p: Promise<T>) => p },
 *   trace: () => {},
 *   send: () => Promise.resolve(),
 * } as unknown as ServerMethodContext;
 * const request = {
 *   type: "userauthRequest", user: "alice", service: "ssh-connection", method: "password", password: "wonderland",
 * } as const;
 * assert.deepEqual(await passwordVerdict(ctx, request), { kind: "success" });
 * assert.deepEqual(await passwordVerdict(ctx, { ...request, password: "x" }), { kind: "failure" });
 * ```
 */
export async function passwordVerdict(
  ctx: ServerMethodContext,
  r: UserauthRequest & { method: "password" },
): Promise<Verdict> {
  const check = ctx.options.password;
  if (!check) return { kind: "failure" };
  const answer = await ctx.inbox.guard(Promise.resolve(check(r.user, r.password)));
  if (r.newPassword !== undefined) {
    const change = ctx.options.changePassword;
    if (answer === false || !change) return { kind: "failure" };
    const ok = await ctx.inbox.guard(
      Promise.resolve(change(r.user, r.password, r.newPassword)),
    );
    return ok === true ? { kind: "success" } : { kind: "failure" };
  }
  if (answer === true) return { kind: "success" };
  if (answer && typeof answer === "object" && ctx.options.changePassword) {
    await ctx.send({
      type: "userauthPasswdChangereq",
      prompt: answer.changePrompt,
      language: "",
    });
    return { kind: "answered" };
  }
  return { kind: "failure" };
}
