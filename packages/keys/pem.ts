/**
 * The text armor around key files: PEM (RFC 7468) blocks `-----BEGIN LABEL-----` … with a
 * strict base64 body, as used by the OpenSSH private key format, PKCS#8, PKCS#1, SEC1 and
 * SSHSIG.
 * @module
 */
import { encodeBase64 } from "@hush/wire";
import { KeyError } from "./errors.ts";
import { parseBase64 } from "./encoding.ts";

/** Largest armored text accepted (1 MiB): far above any key or signature file. */
export const PEM_TEXT_LIMIT = 1 << 20;

/** One decoded PEM block. */
export interface PemBlock {
  /** The label between `BEGIN ` and the dashes, e.g. `"OPENSSH PRIVATE KEY"`. */
  label: string;
  /** RFC 1421 headers (`Proc-Type`, `DEK-Info`) when present, by name. */
  headers: Map<string, string>;
  /** The decoded body. */
  bytes: Uint8Array;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]{1,64})-----$/;

/**
 * Decodes the first PEM block of a text whose label is one of `labels` (any label when not
 * given). Other text and other blocks before it are skipped (OpenSSL puts `EC PARAMETERS`
 * before `EC PRIVATE KEY`); the END line must carry the same label; the body must be valid
 * base64. Anything else is a `KeyError`.
 */
export function decodePem(text: string, labels?: readonly string[]): PemBlock {
  if (text.length > PEM_TEXT_LIMIT) {
    throw new KeyError(`Key file too large: ${text.length} characters`);
  }
  const lines = text.split(/\r?\n/);
  let i = 0;
  let label: string | undefined;
  let seen: string | undefined;
  for (; i < lines.length; i++) {
    const m = BEGIN.exec(lines[i].trim());
    if (!m) continue;
    seen ??= m[1];
    if (!labels || labels.includes(m[1])) {
      label = m[1];
      break;
    }
  }
  if (label === undefined) {
    throw new KeyError(
      seen === undefined ? "No PEM BEGIN line found" : `Unsupported PEM block: BEGIN ${seen}`,
    );
  }
  const end = `-----END ${label}-----`;
  const headers = new Map<string, string>();
  let body = "";
  let closed = false;
  let inHeaders = true;
  for (i++; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === end) {
      closed = true;
      break;
    }
    if (inHeaders) {
      const colon = line.indexOf(":");
      if (colon > 0) {
        headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
        continue;
      }
      inHeaders = false;
      if (line === "" && headers.size > 0) continue;
    }
    body += line;
  }
  if (!closed) throw new KeyError(`Truncated PEM: no "${end}" line`);
  return { label, headers, bytes: parseBase64(body, `${label} body`) };
}

/**
 * Armors bytes as a PEM block with lines of `lineLength` base64 characters (64 for PEM,
 * 70 for OpenSSH keys and signatures), ending with a newline.
 */
export function encodePem(label: string, bytes: Uint8Array, lineLength = 64): string {
  const b64 = encodeBase64(bytes);
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b64.length; i += lineLength) out += b64.slice(i, i + lineLength) + "\n";
  return out + `-----END ${label}-----\n`;
}
