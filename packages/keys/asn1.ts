/**
 * A minimal, strict DER reader (ITU-T X.690) for the key formats: definite minimal lengths,
 * single-byte tags, minimal INTEGERs. Every length is checked against the bytes that remain
 * before anything is sliced; values are views into the input. Errors are `KeyError`s.
 * @module
 */
import { KeyError } from "./errors.ts";

/** Universal tags used by the key formats. */
export const DerTag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

/** One DER element: its tag byte and content. */
export interface DerElement {
  tag: number;
  value: Uint8Array;
}

/** Longest OID accepted, in content bytes. */
const MAX_OID_BYTES = 32;

/** Reads DER elements one after another from a byte range. */
export class DerReader {
  #bytes: Uint8Array;
  #offset = 0;

  /** @param bytes DER bytes (not copied). */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.#offset >= this.#bytes.length;
  }

  /** The tag of the next element, or -1 at the end. */
  peekTag(): number {
    return this.done ? -1 : this.#bytes[this.#offset];
  }

  /** Reads the next element (any tag). */
  element(): DerElement {
    const b = this.#bytes;
    let i = this.#offset;
    if (b.length - i < 2) throw new KeyError("Malformed DER: truncated element");
    const tag = b[i++];
    if ((tag & 0x1f) === 0x1f) throw new KeyError("Malformed DER: multi-byte tag");
    let len = b[i++];
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0) throw new KeyError("Malformed DER: indefinite length");
      if (n > 4) throw new KeyError("Malformed DER: length too large");
      if (b.length - i < n) throw new KeyError("Malformed DER: truncated length");
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + b[i++];
      if (len < 0x80 || (n > 1 && b[i - n] === 0)) {
        throw new KeyError("Malformed DER: non-minimal length");
      }
    }
    if (len > b.length - i) throw new KeyError("Malformed DER: element longer than its container");
    this.#offset = i + len;
    return { tag, value: b.subarray(i, i + len) };
  }

  /** Reads an element that must have `tag`; returns its content. */
  expect(tag: number, what: string): Uint8Array {
    if (this.peekTag() !== tag) throw new KeyError(`Malformed DER: expected ${what}`);
    return this.element().value;
  }

  /** Reads a SEQUENCE and returns a reader over its content. */
  sequence(what = "SEQUENCE"): DerReader {
    return new DerReader(this.expect(DerTag.SEQUENCE, what));
  }

  /** Reads a non-negative INTEGER as a bigint. */
  integer(what = "INTEGER"): bigint {
    const v = this.#integerContent(what);
    if (v[0] & 0x80) throw new KeyError(`Malformed DER: negative ${what}`);
    let x = 0n;
    for (let i = 0; i < v.length; i++) x = (x << 8n) | BigInt(v[i]);
    return x;
  }

  /** Reads a small non-negative INTEGER (at most 2^31 - 1) as a number. */
  smallInteger(what = "INTEGER"): number {
    const v = this.integer(what);
    if (v > 0x7fffffffn) throw new KeyError(`Malformed DER: ${what} too large`);
    return Number(v);
  }

  #integerContent(what: string): Uint8Array {
    const v = this.expect(DerTag.INTEGER, what);
    if (v.length === 0) throw new KeyError(`Malformed DER: empty ${what}`);
    if (v.length > 1 && ((v[0] === 0 && !(v[1] & 0x80)) || (v[0] === 0xff && v[1] & 0x80))) {
      throw new KeyError(`Malformed DER: non-minimal ${what}`);
    }
    return v;
  }

  /** Reads an OCTET STRING. */
  octetString(what = "OCTET STRING"): Uint8Array {
    return this.expect(DerTag.OCTET_STRING, what);
  }

  /** Reads a BIT STRING with no unused bits and returns its bytes. */
  bitString(what = "BIT STRING"): Uint8Array {
    const v = this.expect(DerTag.BIT_STRING, what);
    if (v.length === 0 || v[0] !== 0) throw new KeyError(`Malformed DER: ${what} not whole bytes`);
    return v.subarray(1);
  }

  /** Reads a NULL. */
  null(what = "NULL"): void {
    if (this.expect(DerTag.NULL, what).length !== 0) throw new KeyError("Malformed DER: NULL");
  }

  /** Reads an OBJECT IDENTIFIER in dotted form. */
  oid(what = "OBJECT IDENTIFIER"): string {
    const v = this.expect(DerTag.OID, what);
    if (v.length === 0 || v.length > MAX_OID_BYTES) throw new KeyError(`Malformed DER: ${what}`);
    const arcs: number[] = [];
    let acc = 0;
    for (let i = 0; i < v.length; i++) {
      if (acc === 0 && v[i] === 0x80) throw new KeyError(`Malformed DER: non-minimal ${what}`);
      acc = acc * 128 + (v[i] & 0x7f);
      if (acc > Number.MAX_SAFE_INTEGER / 256) throw new KeyError(`Malformed DER: ${what}`);
      if (!(v[i] & 0x80)) {
        arcs.push(acc);
        acc = 0;
      } else if (i === v.length - 1) {
        throw new KeyError(`Malformed DER: truncated ${what}`);
      }
    }
    const first = arcs[0] < 80 ? Math.floor(arcs[0] / 40) : 2;
    return [first, arcs[0] - first * 40, ...arcs.slice(1)].join(".");
  }

  /**
   * Reads an optional context-specific constructed element `[n]` when it is next; returns a
   * reader over its content, or `undefined`.
   */
  optionalExplicit(n: number): DerReader | undefined {
    if (this.peekTag() !== (0xa0 | n)) return undefined;
    return new DerReader(this.element().value);
  }

  /** Throws if bytes remain. */
  end(what = "structure"): void {
    if (!this.done) throw new KeyError(`Malformed DER: trailing bytes after ${what}`);
  }
}

/** Reads a whole DER value that must be exactly one SEQUENCE. */
export function derSequence(bytes: Uint8Array, what: string): DerReader {
  const outer = new DerReader(bytes);
  const seq = outer.sequence(what);
  outer.end(what);
  return seq;
}
