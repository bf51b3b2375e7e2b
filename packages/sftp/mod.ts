/**
 * `@hush/sftp`: SFTP version 3 as OpenSSH speaks it (draft-ietf-secsh-filexfer-02 and OpenSSH's
 * PROTOCOL extensions), over any byte duplex such as an SSH channel running the `sftp`
 * subsystem: the packet codec with its bounds, a promise-based client with pipelined transfers,
 * and a server over a file-system interface.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSftpPacket, encodeSftpPacket } from "@hush/sftp";
 * const bytes = encodeSftpPacket({ type: "realpath", id: 1, path: "." });
 * assert.deepEqual(decodeSftpPacket(bytes.subarray(4)), { type: "realpath", id: 1, path: "." });
 * ```
 * @module
 */
export { SftpError, type SftpErrorOptions } from "./errors.ts";
export { StatusCode, type StatusCodeValue, statusMessage } from "./status.ts";
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_REQUESTS_IN_FLIGHT,
  HANDLE_LENGTH_LIMIT,
  HANDLE_LIMIT,
  READ_LENGTH_LIMIT,
  READDIR_BATCH,
  SFTP_PACKET_LIMIT,
} from "./limits.ts";
export { SFTP_VERSION, SftpPacketType } from "./packet_types.ts";
export { OpenFlag, openFlags, type OpenMode } from "./open_flags.ts";
export {
  FileType,
  isDirectoryMode,
  isRegularFileMode,
  isSymlinkMode,
  modeString,
} from "./file_mode.ts";
export {
  AttrFlag,
  decodeAttributes,
  encodeAttributes,
  type ExtendedAttribute,
  type FileAttributes,
} from "./attributes.ts";
export { SftpReader } from "./reader.ts";
export { SftpWriter } from "./writer.ts";
export type * from "./messages.ts";
export { decodeSftpPacket, encodeSftpPacket, requestIdOf } from "./codec.ts";
export { type SftpBodyAllocator, sftpPacketStream } from "./packet_stream.ts";
export { BufferPool } from "./buffer_pool.ts";
export {
  decodeIdList,
  decodeLimits,
  decodeStatVfs,
  decodeUsersGroups,
  encodeIdList,
  encodeLimits,
  encodeStatVfs,
  encodeUsersGroups,
  EXTENSION_VERSIONS,
  SftpExtension,
  type SftpExtensionName,
  type SftpLimits,
  type StatVfs,
  StatVfsFlag,
  type UsersGroups,
} from "./extensions.ts";
export type { FileStats, SftpFileSystem, SftpOpenFile } from "./file_system.ts";
export {
  SftpClient,
  type SftpClientOptions,
  type SftpDirEntry,
  type SftpDuplex,
  SftpFile,
} from "./client.ts";
export type {
  FastTransferOptions,
  GetOptions,
  PutOptions,
  PutSource,
  TransferOptions,
  TransferProgress,
} from "./client_transfer.ts";
export { longname, serveSftp, type SftpServerOptions } from "./server.ts";
export { normalizePath } from "./server_paths.ts";
