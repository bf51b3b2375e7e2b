/**
 * `@hush/auth`: SSH user authentication (RFC 4252, RFC 4256). The client tries none, publickey
 * (keys in memory and from an ssh-agent), keyboard-interactive and password in OpenSSH's order;
 * the server authenticator checks each method through the application's callbacks or an
 * authorized_keys file, with multi-factor lists and OpenSSH's limits. Both talk to a
 * `MessageConn` from `@hush/wire`, so they are tested with scripted peers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { authenticateClient, authenticateServer } from "@hush/auth";
 * import { generateKey } from "@hush/keys";
 * import type { Message, MessageConn } from "@hush/wire";
 *
 * // Two message ports joined back to back (a transport gives you one in real use).
 * function pair(): [MessageConn, MessageConn] {
 *   const ab = new TransformStream<Message, Message>(), ba = new TransformStream<Message, Message>();
 *   const end = (rx: typeof ab, tx: typeof ab): MessageConn => {
 *     const writer = tx.writable.getWriter();
 *     return { messages: rx.readable, send: (m) => writer.write(m), disconnect: () => writer.close() };
 *   };
 *   return [end(ba, ab), end(ab, ba)];
 * }
 *
 * const key = await generateKey("ssh-ed25519");
 * const sessionId = crypto.getRandomValues(new Uint8Array(32));
 * const [client, server] = pair();
 * const [who, done] = await Promise.all([
 *   authenticateServer(server, {
 *     sessionId,
 *     authorizedKeys: `no-pty ${key.publicKey.toString()}`,
 *     password: (user, password) => user === "alice" && password === "wonderland",
 *     required: [["publickey", "password"]],
 *   }),
 *   authenticateClient(client, { user: "alice", sessionId, identities: [key], password: "wonderland" }),
 * ]);
 * assert.deepEqual(who.methods, ["publickey", "password"]);
 * assert.deepEqual(who.options, { noPty: true });
 * assert.equal(done.method, "password");
 * ```
 * @module
 */
export { AuthError, type AuthErrorOptions } from "./errors.ts";
// The types of @hush/wire and @hush/keys that this API names, re-exported so that its
// documentation is complete (deno doc --lint).
export type * from "@hush/wire";
export type { Certificate, PublicKey, Signer, VerifyOptions } from "@hush/keys";
export { authenticateClient, DEFAULT_CLIENT_METHODS } from "./client.ts";
export {
  type ClientAuthOptions,
  type ClientAuthResult,
  type KeyboardInteractiveChallenge,
} from "./client_options.ts";
export { authenticateServer } from "./server.ts";
export {
  type AuthenticatedUser,
  type AuthTimers,
  type InfoAsk,
  type InfoChallenge,
  SERVER_AUTH_LIMITS,
  type ServerAuthOptions,
} from "./server_options.ts";
export {
  AGENT_FRAME_LIMIT,
  type AgentClient,
  type AgentConstraints,
  type AgentIdentity,
  AgentMessage,
  agentSigner,
  AgentSignFlag,
  createAgentClient,
  type SshAgentClient,
} from "./agent_client.ts";
export {
  AUTHORIZED_KEYS_LINE_LIMIT,
  AUTHORIZED_KEYS_MAX_ENVIRONMENT,
  AUTHORIZED_KEYS_MAX_PERMITS,
  type AuthorizedKey,
  type AuthorizedKeyOptions,
  type AuthorizedKeys,
  authorizedKeysChecker,
  type AuthorizedKeysSource,
  parseAuthorizedKeys,
  type PublickeyContext,
} from "./authorized_keys.ts";
export { matchAddressPatterns } from "./address_match.ts";
export { chooseSignatureAlgorithm } from "./algorithms.ts";
export { publickeySignedData } from "./signed_data.ts";
export { printable, USER_NAME_LIMIT, userNameProblem } from "./user_name.ts";
