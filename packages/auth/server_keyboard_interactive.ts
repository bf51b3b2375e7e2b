/**
 * The server's keyboard-interactive method (RFC 4256): the application's callback asks rounds
 * of prompts; a client that sends a new request instead of answers abandons the method.
 * @module
 */
import { DisconnectReason, type UserauthRequest } from "@hush/wire";
import { AuthError } from "./errors.ts";
import { expectRequest, type ServerMethodContext, type Verdict } from "./server_method.ts";
import type { InfoAsk } from "./server_options.ts";

/**
 * Runs one keyboard-interactive request. A new USERAUTH_REQUEST arriving instead of answers
 * goes to `interrupt`, to be handled next.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Message } from "@hush/wire";
 * import { keyboardInteractiveVerdict } from "./server_keyboard_interactive.ts";
 * import type { ServerMethodContext } from "./server_method.ts";
 * import type { InfoAsk } from "./server_options.ts";
 * const sent: Message[] = [];
 * const ctx = {
 *   options: {
 *     sessionId: new Uint8Array(32),
 *     keyboardInteractive: async (_user: string, ask: InfoAsk) =>
 *       (await ask({ prompts: [{ prompt: "Code: ", echo: false }] }))[0] === "123456",
 *   },
 *   inbox: {
 *     guard: <T>(p: Promise<T>) => p,
 *     // the client's answers
 *     next: () => Promise.resolve({ type: "userauthInfoResponse", responses: ["123456"] }),
 *   },
 *   send: (m: Message) => Promise.resolve(void sent.push(m)),
 *   trace: () => {},
 * } as unknown as ServerMethodContext;
 * const request = {
 *   type: "userauthRequest", user: "alice", service: "ssh-connection",
 *   method: "keyboard-interactive", language: "", submethods: "",
 * } as const;
 * assert.deepEqual(await keyboardInteractiveVerdict(ctx, request, () => {}), { kind: "success" });
 * assert.equal(sent[0].type, "userauthInfoRequest");
 * ```
 */
export async function keyboardInteractiveVerdict(
  ctx: ServerMethodContext,
  r: UserauthRequest & { method: "keyboard-interactive" },
  interrupt: (request: UserauthRequest) => void,
): Promise<Verdict> {
  const run = ctx.options.keyboardInteractive;
  if (!run) return { kind: "failure" };
  let fatal: AuthError | undefined;
  let abandoned = false;
  const ask: InfoAsk = async (challenge) => {
    if (fatal) throw fatal;
    if (abandoned) {
      throw new AuthError(
        "Client abandoned keyboard-interactive",
        DisconnectReason.BY_APPLICATION,
      );
    }
    const prompts = challenge.prompts.map((p) => ({ prompt: p.prompt, echo: p.echo }));
    await ctx.send({
      type: "userauthInfoRequest",
      name: challenge.name ?? "",
      instruction: challenge.instruction ?? "",
      language: "",
      prompts,
    });
    try {
      const m = await ctx.inbox.next("keyboard-interactive");
      if (m.type === "userauthInfoResponse") {
        if (m.responses.length !== prompts.length) {
          throw new AuthError(
            `Client sent ${m.responses.length} keyboard-interactive answers for ${prompts.length} prompts`,
          );
        }
        return m.responses;
      }
      if (m.type === "userauthRequest") {
        interrupt(m);
        abandoned = true;
        throw new AuthError(
          "Client abandoned keyboard-interactive",
          DisconnectReason.BY_APPLICATION,
        );
      }
      expectRequest(m);
      throw new AuthError("Unreachable");
    } catch (e) {
      if (!abandoned) {
        fatal = e instanceof AuthError
          ? e
          : new AuthError("Keyboard-interactive failed", undefined, { cause: e });
      }
      throw e;
    }
  };
  let ok = false;
  try {
    ok = (await ctx.inbox.guard(Promise.resolve(run(r.user, ask, r.submethods)))) === true;
  } catch (e) {
    if (fatal) throw fatal;
    if (!abandoned) throw e;
  }
  if (fatal) throw fatal;
  if (abandoned) return { kind: "abandoned" };
  return ok ? { kind: "success" } : { kind: "failure" };
}
