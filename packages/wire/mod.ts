/**
 * `@hush/wire`: the SSH wire format. RFC 4251 data types, every SSH message as a typed value
 * with one encode and one decode, the binary packet protocol and Web Streams that frame and
 * deframe packets, switching cipher suites at NEWKEYS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMessage, encodeMessage } from "@hush/wire";
 * const payload = encodeMessage({ type: "serviceRequest", service: "ssh-userauth" });
 * assert.deepEqual(decodeMessage(payload), { type: "serviceRequest", service: "ssh-userauth" });
 * ```
 * @module
 */
export { DisconnectReason, type DisconnectReasonCode, WireError } from "./errors.ts";
export { SshError } from "./ssh_error.ts";
export { SshReader } from "./reader.ts";
export { mpintBytes, SshWriter } from "./writer.ts";
export * from "./messages.ts";
export { decodeMessage, encodeMessage, writeMessage } from "./message_codec.ts";
export { LIST_LIMIT } from "./list_limit.ts";
export {
  decodeTerminalModes,
  encodeTerminalModes,
  TERMINAL_MODES_LIMIT,
  TerminalMode,
  type TerminalModes,
  type TerminalModeSetting,
} from "./terminal_modes.ts";
export {
  checkPacketLength,
  framedLength,
  type FrameOptions,
  framePacket,
  framePacketInto,
  MIN_PADDING,
  NoneOpener,
  NoneSealer,
  PACKET_LENGTH_LIMIT,
  type PacketOpener,
  type PacketSealer,
  paddingBytes,
  paddingLength,
  randomBytes,
  type RandomSource,
  unframePacket,
} from "./packet.ts";
export {
  type OpenerSwitchOptions,
  type Packet,
  PacketDeframer,
  type SwitchOptions,
} from "./packet_deframer.ts";
export { PacketReader } from "./packet_streams.ts";
export { PacketWriter, type SealerSwitchOptions, WRITE_BATCH_LIMIT } from "./packet_writer.ts";
export type { PayloadCompressor, PayloadDecompressor } from "./payload_compression.ts";
export type { MessageConn } from "./message_conn.ts";
export {
  BANNER_LINES_LIMIT,
  type ParsedVersion,
  parseVersionLine,
  readVersionFrom,
  readVersionLine,
  VERSION_LINE_LIMIT,
  type VersionLine,
  type VersionLineOptions,
  type VersionRead,
} from "./version_line.ts";
export { decodeBase64, encodeBase64 } from "./base64.ts";
export { bytesEqual } from "./bytes_equal.ts";
export type { ByteDuplex } from "./byte_duplex.ts";
