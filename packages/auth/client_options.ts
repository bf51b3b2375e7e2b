/**
 * What the application tells the client authenticator, and what it gets back: the options of
 * {@linkcode authenticateClient} with the credentials and callbacks per method, the
 * keyboard-interactive round, and the result.
 * @module
 */
import type { Signer } from "@hush/keys";
import type { AgentClient } from "./agent_client.ts";

/**
 * A keyboard-interactive round (SSH_MSG_USERAUTH_INFO_REQUEST, RFC 4256 §3.2).
 *
 * @example
 * ```ts
 * import type { KeyboardInteractiveChallenge } from "@hush/auth";
 * const answer = (c: KeyboardInteractiveChallenge): Promise<string[]> =>
 *   Promise.resolve(c.prompts.map((p) => (p.echo ? "alice" : "secret")));
 * ```
 */
export interface KeyboardInteractiveChallenge {
  /** A title for the prompts; often empty. */
  name: string;
  /** Instructions to show before the prompts; often empty. */
  instruction: string;
  /** The prompts; `echo` false means hide what is typed (a password). */
  prompts: { prompt: string; echo: boolean }[];
}

/**
 * Options of {@linkcode authenticateClient}.
 *
 * @example
 * ```ts
 * import type { ClientAuthOptions } from "@hush/auth";
 * const options: ClientAuthOptions = {
 *   user: "alice",
 *   sessionId: new Uint8Array(32),
 *   password: () => Promise.resolve("secret"),
 *   preferredMethods: ["keyboard-interactive", "password"],
 * };
 * ```
 */
export interface ClientAuthOptions {
  /** The user to log in as. */
  user: string;
  /** The transport's session identifier (the first exchange hash). */
  sessionId: Uint8Array;
  /** The service to start once authenticated (`ssh-connection`). */
  service?: string;
  /** Keys to offer first, in order. */
  identities?: Signer[];
  /** An ssh-agent whose keys are offered after `identities` (a key already offered is skipped). */
  agent?: AgentClient;
  /** The password, or a callback asked each time one is needed (`undefined`: stop asking). */
  password?: string | (() => Promise<string | undefined>);
  /**
   * Asked when the server says the password has expired (SSH_MSG_USERAUTH_PASSWD_CHANGEREQ)
   * with the server's prompt; returns the new password or `undefined` to give up on passwords.
   */
  changePassword?: (request: { prompt: string }) => Promise<string | undefined>;
  /** Answers keyboard-interactive prompts, one answer per prompt. */
  keyboardInteractive?: (challenge: KeyboardInteractiveChallenge) => Promise<string[]>;
  /** The server's `server-sig-algs` (RFC 8308), when it sent EXT_INFO. */
  serverSigAlgs?: string[];
  /** Receives each USERAUTH_BANNER message. */
  onBanner?: (message: string) => void;
  /** `ssh -v` style lines: methods and key fingerprints, never secrets. */
  trace?: (line: string) => void;
  /** Aborts authentication with an AuthError (reason BY_APPLICATION). */
  signal?: AbortSignal;
  /** Method order, like PreferredAuthentications (publickey, keyboard-interactive, password). */
  preferredMethods?: string[];
  /** Password and keyboard-interactive attempts, like NumberOfPasswordPrompts (3). */
  passwordPrompts?: number;
}

/**
 * What {@linkcode authenticateClient} resolves to.
 *
 * @example
 * ```ts
 * import type { ClientAuthResult } from "@hush/auth";
 * const done: ClientAuthResult = { method: "publickey" };
 * ```
 */
export interface ClientAuthResult {
  /** The method that completed authentication. */
  method: string;
}
