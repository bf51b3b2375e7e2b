import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer } from "node:net";
import { ACCEPT_RETRY_DELAY, acceptEach } from "./accept_retry.ts";
import { acceptQueue } from "./node_listener.ts";

test("a failed accept is reported, then after a pause accepting goes on", async () => {
  const emfile = Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
  const script: (string | Error | undefined)[] = ["first", emfile, emfile, "second", undefined];
  const errors: Error[] = [];
  const pauses: number[] = [];
  const got: string[] = [];
  const accept = () => {
    const next = script.shift();
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  for await (
    const conn of acceptEach(accept, {
      onAcceptError: (e) => errors.push(e),
      sleep: (ms) => {
        pauses.push(ms);
        return Promise.resolve();
      },
    })
  ) got.push(conn);
  assert.deepEqual(got, ["first", "second"]);
  assert.deepEqual(errors, [emfile, emfile]);
  assert.deepEqual(pauses, [ACCEPT_RETRY_DELAY, ACCEPT_RETRY_DELAY]);
  assert.equal(ACCEPT_RETRY_DELAY, 100);
});

test("a node:net server's accept error (libuv out of descriptors) does not end its listener", async () => {
  const server = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const errors: string[] = [];
  const listener = acceptQueue(server, (socket) => socket, {
    onAcceptError: (e) => errors.push(e.message),
    retryDelay: 0,
  });
  // What Node emits when accept(2) fails: the server keeps listening.
  server.emit("error", Object.assign(new Error("accept EMFILE"), { code: "EMFILE" }));
  const client = connect(port, "127.0.0.1");
  client.on("error", () => {});
  const connected = new Promise<number | undefined>((r) =>
    client.once("connect", () => r(client.localPort))
  );
  for await (const socket of listener) {
    assert.equal(socket.remotePort, await connected);
    socket.destroy();
    break;
  }
  client.destroy();
  listener.close();
  assert.deepEqual(errors, ["accept EMFILE"]);
});
