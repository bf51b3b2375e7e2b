/**
 * A WebSocket client written by hand over node:net, for tests that must send what a well-behaved
 * WebSocket never would: a frame cut off mid-way, a socket dropped without a close frame.
 * @module
 */
import { connect, type Socket } from "node:net";

/** An open hand-made WebSocket. */
export interface RawWebSocket {
  /** Sends one masked frame (opcode 2 binary, 1 text); `cut` sends only that many bytes of it. */
  sendFrame(opcode: number, payload: Uint8Array, cut?: number): void;
  /** Drops the TCP connection at once, with no close frame. */
  destroy(): void;
  /** Resolves when the server closes the TCP connection. */
  ended: Promise<void>;
}

/** Opens a WebSocket to `127.0.0.1:port` + `path` with a raw HTTP/1.1 upgrade. */
export function rawWebSocket(port: number, path: string): Promise<RawWebSocket> {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  const ended = new Promise<void>((r) => socket.once("close", () => r()));
  socket.on("error", () => {});
  return new Promise((resolve, reject) => {
    socket.once("connect", () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
          "Sec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    let head = "";
    const onData = (d: Uint8Array) => {
      head += new TextDecoder().decode(d);
      if (!head.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      if (!head.startsWith("HTTP/1.1 101")) return reject(new Error(head.split("\r\n")[0]));
      resolve({
        sendFrame(opcode, payload, cut) {
          const length = payload.length;
          const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
          const frame = new Uint8Array(header + 4 + length);
          frame[0] = 0x80 | opcode;
          if (header === 2) frame[1] = 0x80 | length;
          else if (header === 4) {
            frame[1] = 0x80 | 126;
            new DataView(frame.buffer).setUint16(2, length);
          } else {
            frame[1] = 0x80 | 127;
            new DataView(frame.buffer).setBigUint64(2, BigInt(length));
          }
          const mask = [1, 2, 3, 4];
          frame.set(mask, header);
          for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i] ^ mask[i & 3];
          socket.write(cut === undefined ? frame : frame.subarray(0, cut));
        },
        destroy: () => socket.destroy(),
        ended,
      });
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
}
