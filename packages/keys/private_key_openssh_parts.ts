/**
 * The per-type private fields of the OpenSSH private section (`PROTOCOL.key`) and the public
 * key blob of {@linkcode KeyParts}. Consistency (public half matches the secret) is checked
 * by `keyFromParts`.
 * @module
 */
import { bytesEqual, type SshReader, SshWriter } from "@hush/wire";
import { asKeyError, KeyError } from "./errors.ts";
import { bigintFromBytes, bytesFromBigint } from "./encoding.ts";
import { ecdsaCurve } from "./ecdsa.ts";
import type { KeyParts } from "./key_parts.ts";

/** The SSH public key blob (RFC 4253 §6.6, RFC 5656 §3.1) of key parts. */
export function publicBlobOfParts(parts: KeyParts): Uint8Array {
  const w = new SshWriter().string(parts.type);
  switch (parts.type) {
    case "ssh-ed25519":
      return w.string(parts.publicKey).finish();
    case "ssh-rsa":
      return w.mpint(parts.e).mpint(parts.n).finish();
    default:
      return w.string(ecdsaCurve(parts.type).name).string(parts.q).finish();
  }
}

/** Writes the type and private fields of one key of the OpenSSH private section. */
export function writeOpenSshPrivateFields(w: SshWriter, parts: KeyParts): void {
  w.string(parts.type);
  switch (parts.type) {
    case "ssh-ed25519": {
      const priv = new Uint8Array(64);
      priv.set(parts.seed);
      priv.set(parts.publicKey, 32);
      w.string(parts.publicKey).string(priv);
      priv.fill(0);
      return;
    }
    case "ssh-rsa":
      w.mpint(parts.n).mpint(parts.e).mpint(parts.d).mpint(parts.iqmp).mpint(parts.p)
        .mpint(parts.q);
      return;
    default:
      w.string(ecdsaCurve(parts.type).name).string(parts.q).mpint(bigintFromBytes(parts.d));
  }
}

/**
 * Reads the type and private fields of one key of an OpenSSH private section. Throws
 * `KeyError` (never `WireError`) for anything malformed.
 */
export function readOpenSshPrivateFields(r: SshReader): KeyParts {
  return asKeyError("Malformed private key", (): KeyParts => {
    const type = r.ascii();
    switch (type) {
      case "ssh-ed25519": {
        const publicKey = r.string();
        const priv = r.string();
        if (publicKey.length !== 32 || priv.length !== 64) {
          throw new KeyError("Invalid ssh-ed25519 private key: keys must be 32 bytes");
        }
        if (!bytesEqual(priv.subarray(32), publicKey)) {
          throw new KeyError("Invalid ssh-ed25519 private key: public key does not match");
        }
        return { type, seed: priv.slice(0, 32), publicKey: publicKey.slice() };
      }
      case "ecdsa-sha2-nistp256":
      case "ecdsa-sha2-nistp384":
      case "ecdsa-sha2-nistp521": {
        const curve = ecdsaCurve(type);
        if (r.ascii() !== curve.name) {
          throw new KeyError(`Curve name does not match key type ${type}`);
        }
        const q = r.string().slice();
        const dv = r.mpint();
        if (dv <= 0n) throw new KeyError(`Invalid ${type} private key: scalar out of range`);
        let d: Uint8Array;
        try {
          d = bytesFromBigint(dv, curve.scalarLength);
        } catch {
          throw new KeyError(`Invalid ${type} private key: scalar out of range`);
        }
        return { type, d, q };
      }
      case "ssh-rsa": {
        const n = r.mpint();
        const e = r.mpint();
        const d = r.mpint();
        const iqmp = r.mpint();
        const p = r.mpint();
        const q = r.mpint();
        if (n <= 0n || e <= 0n || d <= 0n || iqmp <= 0n || p <= 0n || q <= 0n) {
          throw new KeyError("Invalid ssh-rsa private key: negative field");
        }
        return { type, n, e, d, p, q, iqmp };
      }
      default:
        throw new KeyError(`Unsupported private key type ${JSON.stringify(type)}`);
    }
  });
}
