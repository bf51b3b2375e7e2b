/**
 * What the application tells the server authenticator, and what it gets back: the options of
 * {@linkcode authenticateServer} with its callbacks per method, OpenSSH's default limits, the
 * keyboard-interactive round, and the authenticated user.
 * @module
 */
import type { PublicKey } from "@hush/keys";
import type {
  AuthorizedKeyOptions,
  AuthorizedKeysSource,
  PublickeyContext,
} from "./authorized_keys.ts";

/**
 * Who authenticated, and how.
 *
 * @example
 * ```ts
 * import type { AuthenticatedUser } from "@hush/auth";
 * const mayAllocatePty = (who: AuthenticatedUser): boolean => !who.options?.noPty;
 * ```
 */
export interface AuthenticatedUser {
  /** The user name the client authenticated as. */
  user: string;
  /** The method that completed authentication. */
  method: string;
  /** Every method that succeeded, in order (more than one with `required` lists). */
  methods: string[];
  /** The verified public key, when publickey was among the methods. */
  key?: PublicKey;
  /** The options that apply to the session (from authorized_keys or the publickey callback). */
  options?: AuthorizedKeyOptions;
}

/**
 * A keyboard-interactive round the server asks the client (RFC 4256 §3.2).
 *
 * @example
 * ```ts
 * import type { InfoChallenge } from "@hush/auth";
 * const otp: InfoChallenge = { name: "Two-factor", prompts: [{ prompt: "Code: ", echo: true }] };
 * ```
 */
export interface InfoChallenge {
  /** A title; often empty. */
  name?: string;
  /** Instructions shown before the prompts; often empty. */
  instruction?: string;
  /** The prompts; `echo` false hides what is typed. */
  prompts: { prompt: string; echo: boolean }[];
}

/**
 * Asks the client one round of prompts; resolves to one answer per prompt.
 *
 * @example
 * ```ts
 * import type { InfoAsk } from "@hush/auth";
 * async function otpRound(ask: InfoAsk): Promise<boolean> {
 *   const [code] = await ask({ prompts: [{ prompt: "Code: ", echo: true }] });
 *   return code === "123456";
 * }
 * ```
 */
export type InfoAsk = (challenge: InfoChallenge) => Promise<string[]>;

/**
 * Timer functions, injectable for tests (default: the global ones).
 *
 * @example
 * ```ts
 * import type { AuthTimers } from "@hush/auth";
 * const timers: AuthTimers = {
 *   setTimeout: (fn, ms) => setTimeout(fn, ms),
 *   clearTimeout: (h) => clearTimeout(h as number),
 * };
 * ```
 */
export interface AuthTimers {
  /** Calls `fn` after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer made by `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/**
 * Options of {@linkcode authenticateServer}.
 *
 * @example
 * ```ts
 * import type { ServerAuthOptions } from "@hush/auth";
 * const options: ServerAuthOptions = {
 *   sessionId: new Uint8Array(32),
 *   authorizedKeys: (user) => user === "alice" ? "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMrcTV3+ZxotqMke6CbvLHQ+Lo/Xx2uwiDdXQ9hxevTG" : undefined,
 *   password: (user, password) => user === "alice" && password === "wonderland",
 *   required: [["publickey", "password"]],
 *   maxAuthTries: 3,
 * };
 * ```
 */
export interface ServerAuthOptions {
  /** The transport's session identifier (the first exchange hash). */
  sessionId: Uint8Array;
  /**
   * Decides about a public key; `true` or options accept. Called for a query (a key offered
   * without a signature: `context.signed` is false; accepting answers PK_OK) and again once the
   * client's signature verified (`context.signed` true), as OpenSSH asks its authorized_keys for
   * both. A key that fails signature checks never reaches it.
   */
  publickey?: (
    user: string,
    key: PublicKey,
    context: PublickeyContext,
  ) => boolean | AuthorizedKeyOptions | Promise<boolean | AuthorizedKeyOptions>;
  /** authorized_keys for a user (text, parsed, or a loader); checked before `publickey`. */
  authorizedKeys?: AuthorizedKeysSource;
  /**
   * Checks a password. `{ changePrompt }` says it is right but expired: the client is asked for
   * a new one (SSH_MSG_USERAUTH_PASSWD_CHANGEREQ) and `changePassword` decides.
   */
  password?: (
    user: string,
    password: string,
  ) => boolean | { changePrompt: string } | Promise<boolean | { changePrompt: string }>;
  /** Sets a new password after an accepted old one; `true` completes the method. */
  changePassword?: (
    user: string,
    oldPassword: string,
    newPassword: string,
  ) => boolean | Promise<boolean>;
  /**
   * Runs keyboard-interactive: call `ask` for each round of prompts, resolve `true` to accept.
   * `ask` rejects (with an AuthError) when the client abandons the method.
   */
  keyboardInteractive?: (
    user: string,
    ask: InfoAsk,
    submethods: string,
  ) => boolean | Promise<boolean>;
  /**
   * Whether the server serves `user` at all (default: every valid name). Names that fail
   * `userNameProblem` are refused before this is asked; an unserved user fails every
   * method, and no other callback sees the name (OpenSSH's "Invalid user").
   */
  users?: (user: string) => boolean | Promise<boolean>;
  /** Text sent as USERAUTH_BANNER before the first reply. */
  banner?: string;
  /** Failed attempts allowed; the last one disconnects (MaxAuthTries, 6). */
  maxAuthTries?: number;
  /** Requests allowed in all, queries included; one more disconnects (128). */
  maxRequests?: number;
  /** Milliseconds to complete authentication (LoginGraceTime, 120 000; 0: no limit). */
  loginGraceTime?: number;
  /** The client's address, for `from=` and `source-address`. */
  remoteAddress?: string;
  /** `sshd -d` style lines: users, methods and fingerprints, never passwords. */
  trace?: (line: string) => void;
  /**
   * Lists of methods that must all succeed, in order (AuthenticationMethods): one list done
   * completes authentication; `[["publickey", "password"]]` asks for both.
   */
  required?: string[][];
  /** Services a client may ask for (`ssh-connection`). */
  services?: string[];
  /** Public key signature algorithms accepted (PubkeyAcceptedAlgorithms; default: any the key supports). */
  publickeyAlgorithms?: string[];
  /**
   * Answer every well-formed publickey query with PK_OK without asking (default false, as
   * OpenSSH). A client then cannot probe which keys are authorized, but signs with each key
   * it offers (an agent confirmation or a security-key touch for keys that cannot succeed).
   */
  pkOkForAnyKey?: boolean;
  /** Timers for the grace time (tests inject fake ones). */
  timers?: AuthTimers;
  /** The clock for certificate and expiry checks, milliseconds since the epoch. */
  now?: () => number;
  /** Aborts authentication with an AuthError (reason BY_APPLICATION). */
  signal?: AbortSignal;
}

/**
 * Default limits of {@linkcode authenticateServer}, as OpenSSH's sshd.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SERVER_AUTH_LIMITS } from "@hush/auth";
 * assert.equal(SERVER_AUTH_LIMITS.maxAuthTries, 6);
 * ```
 */
export const SERVER_AUTH_LIMITS: {
  readonly maxAuthTries: number;
  readonly maxRequests: number;
  readonly loginGraceTime: number;
} = { maxAuthTries: 6, maxRequests: 128, loginGraceTime: 120_000 };
