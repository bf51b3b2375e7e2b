/**
 * The client's keyboard-interactive method (RFC 4256): each round of prompts the server sends
 * (SSH_MSG_USERAUTH_INFO_REQUEST) goes to the application's callback, one answer per prompt.
 * @module
 */
import { type ClientMethodContext, expectFinal, type Outcome } from "./client_method.ts";

/** What keyboard-interactive remembers between tries. */
export interface ClientKeyboardInteractiveState {
  /** Requests sent so far (at most `passwordPrompts`). */
  attempts: number;
}

/**
 * Sends a keyboard-interactive request and answers the server's rounds of prompts until it
 * says SUCCESS or FAILURE. `skipped` when there is no callback to answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Message } from "@hush/wire";
 * import type { ClientMethodContext } from "./client_method.ts";
 * import { keyboardInteractiveOutcome } from "./client_keyboard_interactive.ts";
 * const replies: Message[] = [
 *   { type: "userauthInfoRequest", name: "", instruction: "", language: "", prompts: [{ prompt: "Code: ", echo: false }] },
 *   { type: "userauthSuccess" },
 * ];
 * const sent: Message[] = [];
 * const ctx = {
 *   options: { user: "alice", sessionId: new Uint8Array(32), keyboardInteractive: () => ["123456"] },
 *   attempt: () => {},
 *   trace: () => {},
 *   ask: <T>(f: () => Promise<T>) => f(),
 *   sendRequest: () => Promise.resolve(),
 *   send: (m: Message) => Promise.resolve(void sent.push(m)),
 *   reply: () => Promise.resolve(replies.shift()!),
 * } as unknown as ClientMethodContext;
 * assert.deepEqual(await keyboardInteractiveOutcome(ctx, { attempts: 0 }), { kind: "success" });
 * assert.deepEqual(sent, [{ type: "userauthInfoResponse", responses: ["123456"] }]);
 * ```
 */
export async function keyboardInteractiveOutcome(
  ctx: ClientMethodContext,
  state: ClientKeyboardInteractiveState,
): Promise<Outcome> {
  const respond = ctx.options.keyboardInteractive;
  if (respond === undefined) return { kind: "skipped" };
  state.attempts++;
  ctx.attempt("keyboard-interactive");
  ctx.trace("Trying keyboard-interactive authentication");
  await ctx.sendRequest({ method: "keyboard-interactive", language: "", submethods: "" });
  for (;;) {
    const m = await ctx.reply("keyboard-interactive");
    if (m.type !== "userauthInfoRequest") return expectFinal(m, "a keyboard-interactive request");
    const challenge = {
      name: m.name,
      instruction: m.instruction,
      prompts: m.prompts.map((p) => ({ prompt: p.prompt, echo: p.echo })),
    };
    const silent = m.prompts.length === 0 && m.name === "" && m.instruction === "";
    const responses = silent ? [] : await ctx.ask(() => respond(challenge));
    if (!Array.isArray(responses) || responses.length !== m.prompts.length) {
      throw new TypeError(
        `keyboardInteractive must return ${m.prompts.length} answers, got ${
          Array.isArray(responses) ? responses.length : typeof responses
        }`,
      );
    }
    await ctx.send({ type: "userauthInfoResponse", responses });
  }
}
