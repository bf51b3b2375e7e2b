/**
 * The keys package's error class.
 * @module
 */
import { DisconnectReason, type DisconnectReasonCode, SshError } from "@hush/wire";

/**
 * Raised for key material, signatures and certificates that are not valid: malformed blobs,
 * unsupported or mismatched key types, out-of-range sizes, points off the curve, bad
 * certificates. Every decoder in `@hush/keys` throws only this class, whatever the bytes.
 * Messages never contain secret material.
 *
 * Extends `SshError` from `@hush/wire` with the stable `code` `"ERR_SSH_KEY"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KeyError, parsePublicKey } from "@hush/keys";
 * try {
 *   parsePublicKey(new Uint8Array([0, 0, 0, 3, 1, 2]));
 * } catch (e) {
 *   assert.equal(e instanceof KeyError, true);
 *   assert.equal((e as KeyError).reason, 2);
 *   assert.equal((e as KeyError).code, "ERR_SSH_KEY");
 * }
 * ```
 */
export class KeyError extends SshError {
  /** The SSH disconnect reason code that fits this error. */
  readonly reason: DisconnectReasonCode;
  /**
   * Set when the passphrase is what stopped a key file from loading: `"required"` (the key is
   * encrypted and none was given) or `"wrong"` (it did not decrypt the key). Only then may
   * asking the user (again) help; any other failure is the file's and no passphrase fixes it.
   */
  readonly passphrase: "required" | "wrong" | undefined;

  /**
   * Creates a key error.
   * @param message What was wrong, in sentence case, with no secret material.
   * @param reason The disconnect reason; PROTOCOL_ERROR unless given.
   * @param options Standard error options (`cause`), and `passphrase` (see the property).
   */
  constructor(
    message: string,
    reason: DisconnectReasonCode = DisconnectReason.PROTOCOL_ERROR,
    options?: ErrorOptions & { passphrase?: "required" | "wrong" },
  ) {
    super(
      "ERR_SSH_KEY",
      message,
      options,
    );
    this.name = "KeyError";
    this.reason = reason;
    this.passphrase = options?.passphrase;
  }
}

/** The error of an encrypted key file read without a passphrase. Internal. */
export function passphraseRequired(): KeyError {
  return new KeyError("The key is encrypted: a passphrase is required", undefined, {
    passphrase: "required",
  });
}

/**
 * The error of an encrypted key file whose passphrase did not decrypt it (a failed tag or MAC,
 * bad padding or check-ints, or garbage where the key should be). Internal.
 */
export function wrongPassphrase(cause?: unknown): KeyError {
  return new KeyError("Wrong passphrase (or the key file is corrupt)", undefined, {
    cause,
    passphrase: "wrong",
  });
}

/**
 * Runs `fn`, turning anything it throws that is not a {@linkcode KeyError} (a `WireError` from a
 * truncated field, a noble error from a bad point) into a `KeyError` with `message` and the
 * original as its cause. Internal: keeps the "only KeyError escapes a decoder" rule in one place.
 */
export function asKeyError<T>(message: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KeyError) throw e;
    const detail = e instanceof Error && e.message ? `: ${e.message}` : "";
    throw new KeyError(message + detail, DisconnectReason.PROTOCOL_ERROR, { cause: e });
  }
}
