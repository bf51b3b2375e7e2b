/**
 * The user authentication messages (numbers 50–61: RFC 4252, RFC 4256) as typed values. Numbers
 * 60–61 are reused by the authentication methods, so they decode only with a `DecodeContext` that
 * names the method in progress.
 * @module
 */

/** The method-specific part of SSH_MSG_USERAUTH_REQUEST (RFC 4252, 4256). */
export type UserauthMethod =
  | { method: "none" }
  | {
    method: "publickey";
    algorithm: string;
    publicKey: Uint8Array;
    /** Absent in a query (RFC 4252 §7, the boolean FALSE form). */
    signature?: Uint8Array;
  }
  | { method: "password"; password: string; newPassword?: string }
  | { method: "keyboard-interactive"; language: string; submethods: string }
  | { method: "other"; name: string; data: Uint8Array };

/** SSH_MSG_USERAUTH_REQUEST. */
export type UserauthRequest =
  & { type: "userauthRequest"; user: string; service: string }
  & UserauthMethod;

/** SSH_MSG_USERAUTH_FAILURE. */
export interface UserauthFailure {
  /** The message tag. */
  type: "userauthFailure";
  /** Authentication methods that may continue. */
  methods: string[];
  /** Whether the request succeeded but more methods are required. */
  partialSuccess: boolean;
}
/** SSH_MSG_USERAUTH_SUCCESS. */
export interface UserauthSuccess {
  /** The message tag. */
  type: "userauthSuccess";
}
/** SSH_MSG_USERAUTH_BANNER. */
export interface UserauthBanner {
  /** The message tag. */
  type: "userauthBanner";
  /** The banner text (UTF-8). */
  message: string;
  /** RFC 3066 language tag, usually empty. */
  language: string;
}
/** SSH_MSG_USERAUTH_PK_OK (60, publickey). */
export interface UserauthPkOk {
  /** The message tag. */
  type: "userauthPkOk";
  /** The public key algorithm name. */
  algorithm: string;
  /** The public key blob. */
  publicKey: Uint8Array;
}
/** SSH_MSG_USERAUTH_PASSWD_CHANGEREQ (60, password). */
export interface UserauthPasswdChangereq {
  /** The message tag. */
  type: "userauthPasswdChangereq";
  /** The prompt text. */
  prompt: string;
  /** RFC 3066 language tag, usually empty. */
  language: string;
}
/** One prompt of a keyboard-interactive round. */
export interface InfoPrompt {
  /** The prompt text. */
  prompt: string;
  /** Whether the response may be echoed as typed. */
  echo: boolean;
}
/** SSH_MSG_USERAUTH_INFO_REQUEST (60, keyboard-interactive; RFC 4256). */
export interface UserauthInfoRequest {
  /** The message tag. */
  type: "userauthInfoRequest";
  /** Name of the round (may be empty). */
  name: string;
  /** Instruction text shown above the prompts. */
  instruction: string;
  /** RFC 3066 language tag, usually empty. */
  language: string;
  /** The prompts, in order. */
  prompts: InfoPrompt[];
}
/** SSH_MSG_USERAUTH_INFO_RESPONSE (61, keyboard-interactive; RFC 4256). */
export interface UserauthInfoResponse {
  /** The message tag. */
  type: "userauthInfoResponse";
  /** One response per prompt, in order. */
  responses: string[];
}

/** The user authentication messages (RFC 4252, 4256), one layer of `Message`. */
export type AuthMessage =
  | UserauthRequest
  | UserauthFailure
  | UserauthSuccess
  | UserauthBanner
  | UserauthPkOk
  | UserauthPasswdChangereq
  | UserauthInfoRequest
  | UserauthInfoResponse;
