import { test } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect, type Socket } from "node:net";
import { generateKey } from "@hush/keys";
import { parseMaxStartups, shouldDropStartup } from "./max_startups.ts";
import { serve } from "./server.ts";

test("shouldDropStartup: none below start, rate% at start rising linearly, all at full", () => {
  const limits = { start: 10, rate: 30, full: 100 };
  const dropsOf = (pending: number) => {
    let drops = 0;
    for (let i = 0; i < 100; i++) if (shouldDropStartup(pending, limits, () => i / 100)) drops++;
    return drops;
  };
  assert.equal(dropsOf(0), 0);
  assert.equal(dropsOf(9), 0);
  assert.equal(dropsOf(10), 30);
  assert.equal(dropsOf(55), 65); // halfway: 30 + 70 / 2
  assert.equal(dropsOf(99), 100); // 30 + 70 · 89/90 = 99.2%
  assert.equal(dropsOf(100), 100);
  assert.equal(dropsOf(1000), 100);
});

test("parseMaxStartups: start:rate:full or a hard limit; malformed values refused", () => {
  assert.deepEqual(parseMaxStartups("10:30:100"), { start: 10, rate: 30, full: 100 });
  assert.deepEqual(parseMaxStartups(" 20 "), { start: 20, rate: 100, full: 20 });
  for (const bad of ["", "0", "10:0:100", "10:101:100", "10:30:5", "10:30", "x", "-1"]) {
    assert.equal(parseMaxStartups(bad), undefined, bad);
  }
});

/** A raw TCP client: what it has read, and whether the server closed it. */
function rawClient(
  port: number,
): Promise<{ socket: Socket; data: () => string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let data = "";
    const socket = netConnect(
      { host: "127.0.0.1", port },
      () => resolve({ socket, data: () => data, ended }),
    );
    const ended = new Promise<void>((r) => socket.once("close", () => r()));
    socket.on("data", (d) => (data += d.toString()));
    socket.once("error", reject);
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check());
}

test("serve: connections past MaxStartups are dropped until a pending one goes", async () => {
  const trace: string[] = [];
  const server = await serve({
    port: 0,
    hostKeys: [await generateKey("ssh-ed25519")],
    authenticate: {},
    limits: { maxStartups: { start: 2, rate: 100, full: 2 } },
    trace: (l) => trace.push(l),
  });
  const clients: Awaited<ReturnType<typeof rawClient>>[] = [];
  try {
    // two clients that never authenticate: both get the server's version line
    for (let i = 0; i < 2; i++) {
      const c = await rawClient(server.port);
      clients.push(c);
      await until(() => c.data().startsWith("SSH-2.0-"));
    }
    assert.equal(server.connections, 2);
    // the third is closed at once, unanswered
    const third = await rawClient(server.port);
    clients.push(third);
    await third.ended;
    assert.equal(third.data(), "");
    assert.ok(
      trace.some((l) =>
        /^drop connection #3 from \[127\.0\.0\.1\]:\d+ on \[127\.0\.0\.1\]:\d+ past MaxStartups$/
          .test(l)
      ),
      trace.join("\n"),
    );
    // one pending connection goes: a new one is admitted again
    clients[0].socket.destroy();
    await until(() => server.connections === 1);
    const fourth = await rawClient(server.port);
    clients.push(fourth);
    await until(() => fourth.data().startsWith("SSH-2.0-"));
  } finally {
    for (const c of clients) c.socket.destroy();
    await server.close();
  }
});
