/**
 * A promise with its settle functions, for the transport's waits on key exchanges
 * (`Promise.withResolvers` is not in Node 20).
 * @module
 */

/** A promise with its settle functions. */
export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A new pending {@linkcode Deferred}. */
export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
