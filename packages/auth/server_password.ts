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
 * ```ts ignore
 * const verdict = await passwordVerdict(ctx, request);
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
