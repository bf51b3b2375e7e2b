/// <reference lib="dom" />
/**
 * The page's IndexedDB database: one object store of small records (the page key, the
 * known_hosts text), read and written with promises.
 * @module
 */

/** The database's name and its one object store. */
const DB_NAME = "hush-browser-example";
const STORE = "records";

/** Opens (creating on first use) the page's database. */
export function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Reads one record, `undefined` when there is none. */
export function getRecord<T>(db: IDBDatabase, key: string): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const request = db.transaction(STORE, "readonly").objectStore(STORE).get(key);
    request.onsuccess = () => resolve(request.result as T | undefined);
    request.onerror = () => reject(request.error);
  });
}

/** Writes one record (any structured-cloneable value: a string, a CryptoKeyPair). */
export function putRecord(db: IDBDatabase, key: string, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite");
    tx.objectStore(STORE).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB write aborted"));
  });
}

/**
 * Replaces a record with `fn(current)` in one read-write transaction, so that two tabs updating
 * it at once never lose each other's change (IndexedDB runs such transactions one at a time).
 */
export function updateRecord<T>(
  db: IDBDatabase,
  key: string,
  fn: (current: T | undefined) => T,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    const read = store.get(key);
    let failure: unknown;
    read.onsuccess = () => {
      try {
        store.put(fn(read.result as T | undefined), key);
      } catch (e) {
        failure = e;
        tx.abort();
      }
    };
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(failure ?? tx.error);
    tx.onabort = () => reject(failure ?? tx.error ?? new Error("IndexedDB update aborted"));
  });
}
