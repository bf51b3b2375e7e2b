/**
 * `@hush/auth`: SSH user authentication (RFC 4252, RFC 4256). The client tries none, publickey
 * (keys in memory and from an ssh-agent), keyboard-interactive and password in OpenSSH's order;
 * the server authenticator checks each method through the application's callbacks or an
 * authorized_keys file, with multi-factor lists and OpenSSH's limits. Both talk to a
 * `MessageConn` from `@hush/wire`, so they are tested with scripted peers.
 *
 * @example
 * ```ts ignore
 * import { authenticateClient } from "@hush/auth";
 * await authenticateClient(transport, { user: "alice", sessionId: transport.sessionId!, password: "secret" });
 * ```
 * @module
 */
export { AuthError, type AuthErrorOptions } from "./errors.ts";
// The types of @hush/wire and @hush/keys that this API names, re-exported so that its
// documentation is complete (deno doc --lint).
export type * from "@hush/wire";
export type { Certificate, PublicKey, Signer, VerifyOptions } from "@hush/keys";
export {
  authenticateClient,
  type ClientAuthOptions,
  type ClientAuthResult,
  DEFAULT_CLIENT_METHODS,
  type KeyboardInteractiveChallenge,
} from "./client.ts";
export {
  type AuthenticatedUser,
  authenticateServer,
  type AuthTimers,
  type InfoAsk,
  type InfoChallenge,
  SERVER_AUTH_LIMITS,
  type ServerAuthOptions,
} from "./server.ts";
export {
  AGENT_FRAME_LIMIT,
  type AgentClient,
  type AgentConstraints,
  type AgentDuplex,
  type AgentIdentity,
  AgentMessage,
  agentSigner,
  AgentSignFlag,
  createAgentClient,
  type SshAgentClient,
} from "./agent_client.ts";
export {
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
