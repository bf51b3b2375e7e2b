/// <reference lib="dom" />
/**
 * A known_hosts file kept in IndexedDB, for `KnownHosts`: the text is OpenSSH's own format,
 * so it can be shown, copied to `~/.ssh/known_hosts`, or pasted in from there.
 * @module
 */
import type { KnownHostsStorage } from "@hush/ssh/browser";
import { getRecord, updateRecord } from "./idb.ts";

/** The record holding the known_hosts text. */
const KNOWN_HOSTS_KEY = "known_hosts";

/** A known_hosts file in the page's IndexedDB; updates are atomic across tabs. */
export class IndexedDbKnownHosts implements KnownHostsStorage {
  /** Shown in OpenSSH's messages ("Offending ED25519 key in …:1"). */
  readonly name = "IndexedDB known_hosts";
  #db: IDBDatabase;

  constructor(db: IDBDatabase) {
    this.#db = db;
  }

  /** The text, or `undefined` before the first host was recorded. */
  read(): Promise<string | undefined> {
    return getRecord<string>(this.#db, KNOWN_HOSTS_KEY);
  }

  /** Replaces the text with `fn(text)` in one transaction. */
  update(fn: (text: string) => string): Promise<void> {
    return updateRecord<string>(this.#db, KNOWN_HOSTS_KEY, (text) => fn(text ?? ""));
  }
}
