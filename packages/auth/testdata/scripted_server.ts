/**
 * Test support (not published): a scripted server for the client's tests. {@linkcode start} runs
 * `authenticateClient` for alice on one end of a `connPair()`; the test reads the client's
 * requests from the other end and answers them.
 * @module
 */
import assert from "node:assert/strict";
import type { Message } from "@hush/wire";
import { authenticateClient, type ClientAuthOptions, type ClientAuthResult } from "../mod.ts";
import { connPair, nextMessage, type TestConn } from "../test_peer.ts";

/** The session identifier of every scripted exchange. */
export const sessionId: Uint8Array<ArrayBuffer> = new Uint8Array(32).fill(7);

/** What {@linkcode start} hands a test. */
export interface ScriptedServer {
  /** The client's end. */
  c: TestConn;
  /** The server's end, which the test drives. */
  s: TestConn;
  /** The reader of what the client sends. */
  reader: ReadableStreamDefaultReader<Message>;
  /** What `authenticateClient` settles with. */
  result: Promise<ClientAuthResult>;
}

/** Starts the client; returns the server end and a reader of what the client sends. */
export function start(options: Partial<ClientAuthOptions> = {}): ScriptedServer {
  const [c, s] = connPair();
  const result = authenticateClient(c, { user: "alice", sessionId, ...options });
  result.catch(() => {});
  const reader = s.messages.getReader();
  return { c, s, reader, result };
}

/** Reads the client's next message and asserts that it is a USERAUTH_REQUEST. */
export async function expectRequest(
  reader: ReadableStreamDefaultReader<Message>,
): Promise<Message & { type: "userauthRequest" }> {
  const m = await nextMessage(reader);
  assert.equal(m?.type, "userauthRequest");
  return m as Message & { type: "userauthRequest" };
}
