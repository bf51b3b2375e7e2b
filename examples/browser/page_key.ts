/// <reference lib="dom" />
/**
 * The page's own SSH key: an Ed25519 WebCrypto key pair made in the page, its private half
 * non-extractable (no script, not even this page's, can read it out), kept in IndexedDB so
 * that the next visit signs with the same key.
 * @module
 */
import { type Signer, webCryptoSigner } from "@hush/ssh/browser";
import { getRecord, putRecord } from "./idb.ts";

/** The record holding the CryptoKeyPair. */
const PAGE_KEY = "page_key";

/** The page key as a signer, and its line for `authorized_keys`. */
export interface PageKey {
  signer: Signer;
  /** `ssh-ed25519 AAAA… hush-browser@host`. */
  publicLine: string;
  /** Whether this call made the key (first visit) rather than loading it. */
  created: boolean;
}

/** Loads the page key, making and storing one when there is none (or `renew` is set). */
export async function pageKey(db: IDBDatabase, renew = false): Promise<PageKey> {
  let pair = renew ? undefined : await getRecord<CryptoKeyPair>(db, PAGE_KEY);
  const created = pair === undefined;
  if (!pair) {
    pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
    await putRecord(db, PAGE_KEY, pair);
  }
  const signer = await webCryptoSigner(pair);
  return {
    signer,
    publicLine: signer.publicKey.toString(`hush-browser@${location.host}`),
    created,
  };
}
