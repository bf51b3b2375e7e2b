/**
 * The known_hosts store: several files searched in order, lookups, verification of a host key
 * and edits of the user's file.
 * @module
 */
import { bytesEqual } from "@hush/wire";
import { HostKeyError } from "./errors.ts";
import { knownHostsName } from "./host_name.ts";
import { appendKnownHostsLine, formatKnownHostsLine, removeKnownHost } from "./known_hosts_edit.ts";
import {
  entryAppliesTo,
  type KnownHostsDiagnostic,
  type KnownHostsFile,
  type KnownHostsMarker,
  parseKnownHosts,
} from "./known_hosts_file.ts";
import { blobKeyType, CERT_SUFFIX } from "./key_types.ts";
import { type Certificate, checkCertificate, parsePublicKey } from "@hush/keys";
import type { KnownHostsStorage } from "./storage.ts";

/**
 * A key line that applies to a host, with where it was found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type HostKeyRecord, KnownHosts, MemoryStorage } from "@hush/hostkeys";
 * const store = new KnownHosts([new MemoryStorage("@revoked * ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz\n", "kh")]);
 * const [r]: HostKeyRecord[] = await store.lookup("any.host");
 * assert.equal(r.file, "kh");
 * assert.equal(r.line, 1);
 * assert.equal(r.marker, "revoked");
 * assert.equal(r.keyType, "ssh-ed25519");
 * ```
 */
export interface HostKeyRecord {
  /** The storage's name (file path). */
  readonly file: string;
  /** The 1-based line number. */
  readonly line: number;
  /** `cert-authority` or `revoked`, when the line has a marker. */
  readonly marker?: KnownHostsMarker;
  /** The host field as written. */
  readonly hosts: string;
  /** The key type name. */
  readonly keyType: string;
  /** The public key blob. */
  readonly blob: Uint8Array;
  /** The line's comment. */
  readonly comment: string;
}

/**
 * The verdict on a host key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { KnownHosts, MemoryStorage, type VerifyStatus } from "@hush/hostkeys";
 * const store = new KnownHosts([new MemoryStorage()]);
 * const status: VerifyStatus = (await store.verify("h", 22, decodeBase64("AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz")!)).status;
 * assert.equal(status, "unknown");
 * ```
 */
export type VerifyStatus = "trusted" | "unknown" | "changed" | "revoked";

/**
 * What {@linkcode KnownHosts.verify} found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { KnownHosts, MemoryStorage, type VerifyResult } from "@hush/hostkeys";
 * const other = "AAAAC3NzaC1lZDI1NTE5AAAAIE4QbSvNhtVKwEK3kNCgzK2lDkO6yJUeXKOBkS8yyURf";
 * const store = new KnownHosts([new MemoryStorage("h ssh-ed25519 " + other + "\n", "kh")]);
 * const v: VerifyResult = await store.verify("h", 22, decodeBase64("AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz")!);
 * assert.equal(v.status, "changed");
 * assert.equal(v.found?.file, "kh");
 * assert.equal(v.found?.line, 1);
 * ```
 */
export interface VerifyResult {
  /**
   * `trusted`: a line for this host has this key (or, for a certificate, the CA that signed
   * it). `unknown`: no line for this host has a key of this type. `changed`: lines for this
   * host have keys of this type, none this one. `revoked`: an `@revoked` line for this host
   * names this key (or the CA of this certificate).
   */
  readonly status: VerifyStatus;
  /** The known_hosts name looked up (`host` or `[host]:port`). */
  readonly name: string;
  /** The key type name the decision was made for (the plain type when a certificate fell back). */
  readonly keyType: string;
  /** The key blob the decision was made for (the plain key when a certificate fell back). */
  readonly blob: Uint8Array;
  /** The file of `found` (for `changed`: where the old key is). */
  readonly file?: string;
  /** The line number of `found`. */
  readonly line?: number;
  /** Whether the decision was made through an `@cert-authority` line. */
  readonly viaCertificate: boolean;
  /**
   * `trusted`: the line that matched; `changed`: the (first) line with the old key;
   * `revoked`: the `@revoked` line.
   */
  readonly found?: HostKeyRecord;
  /** `changed`: every line with an old key of this type. */
  readonly offending?: readonly HostKeyRecord[];
  /** `unknown`: keys of other types known for this host. */
  readonly otherKeys?: readonly HostKeyRecord[];
}

/**
 * Options for the {@linkcode KnownHosts} constructor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KnownHosts, type KnownHostsOptions, MemoryStorage } from "@hush/hostkeys";
 * const options: KnownHostsOptions = { now: () => Date.UTC(2030, 0, 1) };
 * assert.equal(new KnownHosts([new MemoryStorage()], options).files.length, 1);
 * ```
 */
export interface KnownHostsOptions {
  /** The clock host certificates are checked against, in milliseconds (`Date.now`). */
  now?: () => number;
}

/**
 * Options for {@linkcode KnownHosts.add}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { type AddOptions, KnownHosts, MemoryStorage } from "@hush/hostkeys";
 * const store = new KnownHosts([new MemoryStorage()]);
 * const options: AddOptions = { hash: true, comment: "lab" };
 * await store.add("10.0.0.1", 2222, decodeBase64("AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz")!, options);
 * assert.equal((await store.files[0].read())?.startsWith("|1|"), true);
 * ```
 */
export interface AddOptions {
  /** Write the host name hashed (`HashKnownHosts yes`). */
  hash?: boolean;
  /** A comment at the end of the line. */
  comment?: string;
}

/**
 * The known_hosts files of a client, searched in order (the user's file first, then the
 * global one), as ssh(1) does. Edits go to the first file only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { KnownHosts, MemoryStorage } from "@hush/hostkeys";
 * const blob = decodeBase64("AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz")!;
 * const store = new KnownHosts([new MemoryStorage(), new MemoryStorage("*.example.org " +
 *   "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz\n", "global")]);
 * assert.equal((await store.verify("www.example.org", 22, blob)).status, "trusted");
 * assert.equal((await store.verify("127.0.0.1", 2222, blob)).status, "unknown");
 * await store.add("127.0.0.1", 2222, blob, { hash: true });
 * assert.equal((await store.verify("127.0.0.1", 2222, blob)).status, "trusted");
 * ```
 */
export class KnownHosts {
  /** The files, in search order. */
  readonly files: readonly KnownHostsStorage[];
  readonly #cache = new Map<KnownHostsStorage, { text: string; file: KnownHostsFile }>();
  readonly #now: () => number;

  /**
   * Creates a store over some files.
   * @param files The files to search: the user's (written to) first, then global ones.
   * @param options The clock for certificate validity.
   */
  constructor(files: KnownHostsStorage[], options: KnownHostsOptions = {}) {
    if (files.length === 0) throw new TypeError("KnownHosts needs at least one file");
    this.files = [...files];
    this.#now = options.now ?? Date.now;
  }

  /**
   * Reads and parses one file, reusing the last parse when the text has not changed.
   * @param storage One of {@linkcode KnownHosts.files}.
   * @returns The parsed file (empty when it does not exist).
   */
  async load(storage: KnownHostsStorage): Promise<KnownHostsFile> {
    return this.#parse(storage, (await storage.read()) ?? "");
  }

  #parse(storage: KnownHostsStorage, text: string): KnownHostsFile {
    const cached = this.#cache.get(storage);
    if (cached && cached.text === text) return cached.file;
    const file = parseKnownHosts(text);
    this.#cache.set(storage, { text, file });
    return file;
  }

  /**
   * The problems found in every file (invalid lines, unknown key types), by file name.
   * @returns One entry per file with problems.
   */
  async diagnostics(): Promise<{ file: string; diagnostics: readonly KnownHostsDiagnostic[] }[]> {
    const out = [];
    for (const s of this.files) {
      const d = (await this.load(s)).diagnostics;
      if (d.length > 0) out.push({ file: s.name, diagnostics: d });
    }
    return out;
  }

  /**
   * Every key line that applies to a host and port (keys, CA keys and revoked keys), from all
   * files in order.
   *
   * @param host The host name or address as given by the user.
   * @param port The port (22).
   * @returns The records.
   */
  lookup(host: string, port = 22): Promise<HostKeyRecord[]> {
    return this.#lookupName(knownHostsName(host, port));
  }

  async #lookupName(name: string): Promise<HostKeyRecord[]> {
    const out: HostKeyRecord[] = [];
    for (const storage of this.files) {
      const file = await this.load(storage);
      for (const l of file.lines) {
        const e = l.entry;
        if (!e || !entryAppliesTo(e, name)) continue;
        out.push({
          file: storage.name,
          line: l.number,
          ...(e.marker ? { marker: e.marker } : {}),
          hosts: e.hosts,
          keyType: e.keyType,
          blob: e.blob,
          comment: e.comment,
        });
      }
    }
    return out;
  }

  /**
   * Decides whether a host key is trusted for a host and port. A revoked key (or a certificate
   * whose CA or own key is revoked) is `revoked` whatever else trusts it. A certificate is
   * checked against `@cert-authority` lines (type host, principal = the host name); when no CA
   * line applies it is checked as its plain key, as ssh(1) does.
   *
   * @param host The host name or address as given by the user.
   * @param port The port.
   * @param hostKey The server's host key blob (K_S).
   * @returns The verdict with the line it rests on.
   * @throws {HostKeyError} When the blob has no readable key type, or a certificate from a
   *   trusted CA fails its checks (expired, wrong principal, bad signature).
   */
  async verify(host: string, port: number, hostKey: Uint8Array): Promise<VerifyResult> {
    const v = await this.#verify(host, port, hostKey);
    return v.found ? { ...v, file: v.found.file, line: v.found.line } : v;
  }

  async #verify(host: string, port: number, hostKey: Uint8Array): Promise<VerifyResult> {
    const name = knownHostsName(host, port);
    const presented = blobKeyType(hostKey);
    if (presented === undefined) {
      throw new HostKeyError("Host key is not a valid SSH public key blob");
    }
    const records = await this.#lookupName(name);
    const revoked = (blob: Uint8Array) =>
      records.find((r) => r.marker === "revoked" && bytesEqual(r.blob, blob));

    let blob = hostKey;
    let keyType = presented;
    if (presented.endsWith(CERT_SUFFIX)) {
      let cert: Certificate | undefined;
      try {
        cert = parsePublicKey(hostKey).certificate;
      } catch (e) {
        throw new HostKeyError("Host certificate is malformed", { cause: e });
      }
      if (!cert) throw new HostKeyError("Host certificate is malformed");
      const caBlob = cert.signatureKey.blob;
      const plainBlob = cert.key.blob;
      const bad = revoked(hostKey) ?? revoked(plainBlob) ?? revoked(caBlob);
      if (bad) {
        return {
          status: "revoked",
          name,
          keyType: presented,
          blob: hostKey,
          viaCertificate: true,
          found: bad,
        };
      }
      const ca = records.find((r) => r.marker === "cert-authority" && bytesEqual(r.blob, caBlob));
      if (ca) {
        try {
          checkCertificate(cert, { type: "host", principal: hostOnly(host), now: this.#now() });
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          throw new HostKeyError(`Certificate invalid: ${why}`, { cause: e });
        }
        return {
          status: "trusted",
          name,
          keyType: presented,
          blob: hostKey,
          viaCertificate: true,
          found: ca,
        };
      }
      blob = plainBlob;
      keyType = blobKeyType(blob) ?? presented;
    }

    const bad = revoked(blob);
    if (bad) return { status: "revoked", name, keyType, blob, viaCertificate: false, found: bad };
    const plain = records.filter((r) => r.marker === undefined);
    const sameType = plain.filter((r) => r.keyType === keyType);
    const match = sameType.find((r) => bytesEqual(r.blob, blob));
    if (match) {
      return { status: "trusted", name, keyType, blob, viaCertificate: false, found: match };
    }
    if (sameType.length > 0) {
      return {
        status: "changed",
        name,
        keyType,
        blob,
        viaCertificate: false,
        found: sameType[0],
        offending: sameType,
      };
    }
    return {
      status: "unknown",
      name,
      keyType,
      blob,
      viaCertificate: false,
      otherKeys: plain.filter((r) => r.keyType !== keyType),
    };
  }

  /**
   * Records a host key in the first file (append; an identical line for the host is not
   * added twice). The update is atomic and re-reads the file, so concurrent adds are kept.
   *
   * @param host The host name or address.
   * @param port The port (written as `[host]:port` unless 22).
   * @param key The plain public key (its blob, or a `PublicKey` from `@hush/keys`), not a
   *   certificate.
   * @param options Hash the name, add a comment.
   */
  async add(
    host: string,
    port: number,
    key: Uint8Array | { readonly blob: Uint8Array },
    options: AddOptions = {},
  ): Promise<void> {
    const name = knownHostsName(host, port);
    const hostKey = key instanceof Uint8Array ? key : key.blob;
    const type = blobKeyType(hostKey);
    if (type === undefined) throw new TypeError("Host key is not a valid SSH public key blob");
    if (type.endsWith(CERT_SUFFIX)) {
      throw new TypeError("Record the CA with an @cert-authority line, not the certificate");
    }
    const line = formatKnownHostsLine({
      hosts: name,
      blob: hostKey,
      hash: options.hash,
      comment: options.comment,
    });
    const storage = this.files[0];
    await storage.update((text) => {
      const present = this.#parse(storage, text).lines.some((l) =>
        l.entry !== undefined && l.entry.marker === undefined && l.entry.keyType === type &&
        bytesEqual(l.entry.blob, hostKey) && entryAppliesTo(l.entry, name)
      );
      return present ? text : appendKnownHostsLine(text, line);
    });
  }

  /**
   * Removes every key line for a host and port from the first file, like
   * `ssh-keygen -R host`: marker lines, comments and every other line stay byte for byte.
   *
   * @param host The host name or address.
   * @param port The port (22).
   * @returns The number of lines removed.
   */
  async remove(host: string, port = 22): Promise<number> {
    const name = knownHostsName(host, port);
    let removed = 0;
    await this.files[0].update((text) => {
      const r = removeKnownHost(text, name);
      removed = r.removed.length;
      return r.text;
    });
    return removed;
  }
}

/** The host part used as a certificate principal (lowercased, no brackets or port). */
function hostOnly(host: string): string {
  return host.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
