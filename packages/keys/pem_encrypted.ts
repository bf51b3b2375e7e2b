/**
 * Legacy encrypted PEM (RFC 1421 headers as OpenSSL writes them): `Proc-Type: 4,ENCRYPTED`
 * and `DEK-Info: CIPHER,IV` before a PKCS#1 or SEC1 body encrypted in CBC mode under a key
 * made by OpenSSL's `EVP_BytesToKey` (MD5, one iteration, the first 8 bytes of the IV as
 * salt). OpenSSH reads it; OpenSSL (`openssl rsa -aes256`), paramiko and Python's
 * `cryptography` (AES-256-CBC) and PuTTY's PEM export (DES-EDE3-CBC) write it.
 * @module
 */
import { cbc } from "@noble/ciphers/aes.js";
import { md5 } from "@noble/hashes/legacy.js";
import { KeyError, passphraseRequired, wrongPassphrase } from "./errors.ts";
import type { PemBlock } from "./pem.ts";

/** The DEK-Info ciphers read: AES-CBC by key length in bytes. */
const DEK_CIPHERS: Readonly<Record<string, number>> = {
  "AES-128-CBC": 16,
  "AES-192-CBC": 24,
  "AES-256-CBC": 32,
};

/**
 * DEK-Info ciphers OpenSSL writes that Hush cannot decrypt: noble has no DES, and no npm DES
 * package is kept to noble's standard. A key in one is refused with the conversion command.
 */
const DES_CIPHERS = new Set(["DES-EDE3-CBC", "DES-CBC", "DES-EDE-CBC"]);

/** What converts a key to a format Hush reads (OpenSSH's, with the same passphrase). */
export const CONVERT_HINT =
  'convert it with "ssh-keygen -p -f FILE" (rewrites it in the OpenSSH format) or ' +
  '"openssl pkcs8 -topk8 -v2 aes256"';

const AES_BLOCK = 16;

/** Whether a PEM block carries legacy encryption headers. */
export function isLegacyEncrypted(block: PemBlock): boolean {
  return block.headers.has("Proc-Type") || block.headers.has("DEK-Info");
}

/**
 * The cipher key length and IV of the DEK-Info header, checked: what can be known without the
 * passphrase (a DES cipher is refused here, with the conversion command).
 */
export function readDekInfo(block: PemBlock): { keyLength: number; iv: Uint8Array } {
  const procType = block.headers.get("Proc-Type")?.replace(/\s+/g, "");
  if (procType !== "4,ENCRYPTED") {
    throw new KeyError(`Unsupported PEM header Proc-Type: ${procType ?? "(none)"}`);
  }
  const info = block.headers.get("DEK-Info");
  if (info === undefined) throw new KeyError("Encrypted PEM without a DEK-Info header");
  const comma = info.indexOf(",");
  const name = (comma < 0 ? info : info.slice(0, comma)).trim().toUpperCase();
  const hex = comma < 0 ? "" : info.slice(comma + 1).trim();
  if (DES_CIPHERS.has(name)) {
    throw new KeyError(
      `The key is encrypted with ${name}, which Hush does not read: ${CONVERT_HINT}`,
    );
  }
  if (!Object.hasOwn(DEK_CIPHERS, name)) {
    throw new KeyError(`Unsupported PEM encryption ${JSON.stringify(name)}: ${CONVERT_HINT}`);
  }
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) throw new KeyError(`Invalid DEK-Info IV for ${name}`);
  const iv = new Uint8Array(AES_BLOCK);
  for (let i = 0; i < AES_BLOCK; i++) iv[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return { keyLength: DEK_CIPHERS[name], iv };
}

/**
 * OpenSSL's `EVP_BytesToKey` with MD5 and one iteration: D1 = MD5(pass ‖ salt),
 * Di = MD5(Di-1 ‖ pass ‖ salt), concatenated up to `length` bytes.
 */
function bytesToKey(pass: Uint8Array, salt: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length + 16);
  const input = new Uint8Array(16 + pass.length + salt.length);
  let previous = 0;
  for (let have = 0; have < length; have += 16) {
    input.set(out.subarray(have - previous, have), 0);
    input.set(pass, previous);
    input.set(salt, previous + pass.length);
    const digest = md5(input.subarray(0, previous + pass.length + salt.length));
    out.set(digest, have);
    digest.fill(0);
    previous = 16;
  }
  input.fill(0);
  const key = out.slice(0, length);
  out.fill(0);
  return key;
}

/**
 * Decrypts the body of a legacy encrypted PEM block, returning the DER inside (the caller
 * zeroes it). Its headers are checked before the passphrase is asked for; a DES cipher, an
 * unknown one or a bad IV is a `KeyError`, as is a wrong passphrase (bad CBC padding).
 */
export function decryptLegacyPem(block: PemBlock, passphrase: string | undefined): Uint8Array {
  const { keyLength, iv } = readDekInfo(block);
  if (block.bytes.length === 0 || block.bytes.length % AES_BLOCK !== 0) {
    throw new KeyError("Encrypted PEM body is not a whole number of AES blocks");
  }
  if (passphrase === undefined || passphrase === "") throw passphraseRequired();
  const pass = new TextEncoder().encode(passphrase);
  const key = bytesToKey(pass, iv.subarray(0, 8), keyLength);
  pass.fill(0);
  try {
    return cbc(key, iv).decrypt(block.bytes);
  } catch (e) {
    throw wrongPassphrase(e); // the PKCS#7 padding did not check out
  } finally {
    key.fill(0);
  }
}
