/**
 * `Promise.withResolvers` for tests, which Node 20 lacks.
 * @module
 */

/** A pending promise with its settle functions (`Promise.withResolvers`, which Node 20 lacks). */
export function withResolvers<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
