/**
 * The identification-line exchange (RFC 4253 §4.2): reading the peer's `SSH-2.0-…` line off a
 * byte stream, with the lines a server may send before it.
 * @module
 */
import { DisconnectReason, WireError } from "./errors.ts";

/** Longest identification or banner line accepted, in bytes, CR LF included (RFC 4253 §4.2). */
export const VERSION_LINE_LIMIT = 255;

/** Most lines a client accepts from a server before its `SSH-` line (as OpenSSH). */
export const BANNER_LINES_LIMIT = 1024;

const LF = 0x0a;
const CR = 0x0d;
const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

/** The parts of an identification string `SSH-protoversion-softwareversion SP comments`. */
export interface ParsedVersion {
  /** `2.0`, or `1.99` from a server that also speaks SSH-1. */
  protoVersion: string;
  /** The software version, e.g. `OpenSSH_9.2p1`. */
  softwareVersion: string;
  /** What follows the first space, e.g. `Debian-2+deb12u10`; absent when there is none. */
  comments?: string;
}

/** The peer's identification, as returned by {@linkcode readVersionLine}. */
export interface VersionLine extends ParsedVersion {
  /** The whole line without CR LF: the `V_C` or `V_S` of the exchange hash. */
  version: string;
  /** Lines the server sent before its identification (always empty when reading a client). */
  banner: string[];
  /** The bytes after the identification line, none lost: hand them to the packet reader. */
  rest: ReadableStream<Uint8Array>;
}

/** Options for {@linkcode readVersionLine}. */
export interface VersionLineOptions {
  /**
   * Our role. A client reading a server accepts up to `maxBannerLines` lines before the `SSH-`
   * line; a server reading a client accepts none.
   */
  role: "client" | "server";
  /** Most banner lines a client accepts; {@linkcode BANNER_LINES_LIMIT} unless given. */
  maxBannerLines?: number;
}

/**
 * Parses an identification string (without CR LF). Accepts protocol version `2.0`, and `1.99`
 * (RFC 4253 §5.1) when `role` is `client`. Throws {@linkcode WireError} with
 * PROTOCOL_VERSION_NOT_SUPPORTED for another version and PROTOCOL_ERROR for a malformed line.
 * A `-` inside the software version is tolerated, as OpenSSH does (some vendors send one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVersionLine } from "@hush/wire";
 * assert.deepEqual(
 *   parseVersionLine("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10", "client"),
 *   { protoVersion: "2.0", softwareVersion: "OpenSSH_9.2p1", comments: "Debian-2+deb12u10" },
 * );
 * ```
 */
export function parseVersionLine(line: string, role: "client" | "server"): ParsedVersion {
  if (line.length + 2 > VERSION_LINE_LIMIT) {
    throw new WireError(`Identification line longer than ${VERSION_LINE_LIMIT} bytes`);
  }
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      throw new WireError("Identification line is not printable US-ASCII");
    }
  }
  if (!line.startsWith("SSH-")) throw new WireError("Identification line does not start with SSH-");
  const dash = line.indexOf("-", 4);
  if (dash < 0) throw new WireError("Identification line has no software version");
  const protoVersion = line.slice(4, dash);
  if (protoVersion !== "2.0" && !(protoVersion === "1.99" && role === "client")) {
    throw new WireError(
      `Unsupported protocol version ${JSON.stringify(protoVersion)}`,
      DisconnectReason.PROTOCOL_VERSION_NOT_SUPPORTED,
    );
  }
  const space = line.indexOf(" ", dash + 1);
  const softwareVersion = space < 0 ? line.slice(dash + 1) : line.slice(dash + 1, space);
  if (softwareVersion.length === 0) {
    throw new WireError("Identification line has an empty software version");
  }
  if (space < 0) return { protoVersion, softwareVersion };
  return { protoVersion, softwareVersion, comments: line.slice(space + 1) };
}

/**
 * The peer's identification as {@linkcode readVersionFrom} returns it: the line and the bytes
 * that came after it in the same read.
 *
 * @example
 * ```ts
 * import type { VersionRead } from "@hush/wire";
 * const firstPacketBytes = (v: VersionRead): number => v.leftover.length;
 * ```
 */
export interface VersionRead extends ParsedVersion {
  /** The whole line without CR LF: the `V_C` or `V_S` of the exchange hash. */
  version: string;
  /** Lines the server sent before its identification (always empty when reading a client). */
  banner: string[];
  /** The bytes read after the identification line: the first packet bytes, none lost. */
  leftover: Uint8Array;
}

/**
 * Reads the peer's identification line through `reader` (RFC 4253 §4.2), which the caller keeps:
 * the bytes after the line come back as `leftover`, and the packet layer reads on from the same
 * reader with no stream stage in between. Lines end in CR LF or a bare LF; each may be at most
 * {@linkcode VERSION_LINE_LIMIT} bytes long. When `role` is `client`, up to `maxBannerLines`
 * other lines may come first (returned in `banner`); a server accepts none. No line may contain
 * a NUL byte. Throws only {@linkcode WireError}: CONNECTION_LOST when the stream ends first,
 * PROTOCOL_VERSION_NOT_SUPPORTED for a version other than 2.0, PROTOCOL_ERROR otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readVersionFrom } from "@hush/wire";
 * const bytes = new TextEncoder().encode("SSH-2.0-OpenSSH_9.2\r\n\x00\x00");
 * const reader = new Blob([bytes]).stream().getReader();
 * const v = await readVersionFrom(reader, { role: "server" });
 * assert.equal(v.version, "SSH-2.0-OpenSSH_9.2");
 * assert.deepEqual(v.leftover, new Uint8Array([0, 0]));
 * ```
 */
export async function readVersionFrom(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  options: VersionLineOptions,
): Promise<VersionRead> {
  const maxBannerLines = options.maxBannerLines ?? BANNER_LINES_LIMIT;
  if (!Number.isInteger(maxBannerLines) || maxBannerLines < 0) {
    throw new RangeError(`Invalid maxBannerLines: ${maxBannerLines}`);
  }
  const line = new Uint8Array(VERSION_LINE_LIMIT);
  let lineLength = 0;
  const banner: string[] = [];
  try {
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) {
        throw new WireError(
          "Connection closed before the identification line",
          DisconnectReason.CONNECTION_LOST,
        );
      }
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (c !== LF) {
          // The LF still to come must fit too.
          if (lineLength + 1 >= VERSION_LINE_LIMIT) {
            throw new WireError(`Identification line longer than ${VERSION_LINE_LIMIT} bytes`);
          }
          if (c === 0) throw new WireError("Identification line contains a NUL byte");
          line[lineLength++] = c;
          continue;
        }
        const end = lineLength > 0 && line[lineLength - 1] === CR ? lineLength - 1 : lineLength;
        const text = line.subarray(0, end);
        lineLength = 0;
        if (isVersion(text)) {
          const version = latin1.decode(text);
          const parsed = parseVersionLine(version, options.role);
          return { version, ...parsed, banner, leftover: chunk.subarray(i + 1) };
        }
        if (options.role === "server") {
          throw new WireError("Client sent a line that is not its identification line");
        }
        if (banner.length >= maxBannerLines) {
          throw new WireError(`More than ${maxBannerLines} lines before the identification line`);
        }
        banner.push(utf8.decode(text));
      }
    }
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError("Cannot read the identification line", DisconnectReason.CONNECTION_LOST, {
      cause: e,
    });
  }
}

/**
 * Reads the peer's identification line from a byte stream, as {@linkcode readVersionFrom}
 * does, taking a reader of `readable`: the bytes that followed the line come out of `rest`,
 * which holds the lock from then on (cancelling `rest` cancels `readable`). On error the lock
 * is released.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readVersionLine } from "@hush/wire";
 * const bytes = new TextEncoder().encode("hello\r\nSSH-2.0-OpenSSH_9.2\r\n\x00\x00");
 * const v = await readVersionLine(new Blob([bytes]).stream(), { role: "client" });
 * assert.equal(v.version, "SSH-2.0-OpenSSH_9.2");
 * assert.deepEqual(v.banner, ["hello"]);
 * const rest = new Uint8Array(await new Response(v.rest).arrayBuffer());
 * assert.deepEqual(rest, new Uint8Array([0, 0]));
 * ```
 */
export async function readVersionLine(
  readable: ReadableStream<Uint8Array>,
  options: VersionLineOptions,
): Promise<VersionLine> {
  const reader = readable.getReader();
  try {
    const { leftover, ...line } = await readVersionFrom(reader, options);
    return { ...line, rest: restStream(reader, leftover) };
  } catch (e) {
    reader.releaseLock();
    throw e;
  }
}

function isVersion(text: Uint8Array): boolean {
  // "SSH-"
  return text.length >= 4 && text[0] === 0x53 && text[1] === 0x53 && text[2] === 0x48 &&
    text[3] === 0x2d;
}

function restStream(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  leftover: Uint8Array,
): ReadableStream<Uint8Array> {
  let first: Uint8Array | undefined = leftover.length > 0 ? leftover : undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first) {
        controller.enqueue(first);
        first = undefined;
        return;
      }
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
