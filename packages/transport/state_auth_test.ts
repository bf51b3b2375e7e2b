/**
 * The state machine around the service request and authentication, one rejection per test: a
 * real Hush end ("victim") against another Hush transport made to send a message out of place.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Message } from "@hush/wire";
import { authenticated, pair, read, victimCloses } from "./testdata/transport_pair.ts";

test("server: channel data before authentication disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await c.send({ type: "channelData", recipient: 0, data: new Uint8Array(1) });
  await victimCloses(s, c, /channelData before authentication completed/);
});

test("client: a channel open from the server before authentication disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await s.send({
    type: "channelOpen",
    channelType: "session",
    sender: 0,
    initialWindow: 10,
    maxPacket: 10,
  } as Message);
  await victimCloses(c, s, /channelOpen before authentication completed/);
});

test("server: USERAUTH_REQUEST before SERVICE_REQUEST/ACCEPT disconnects", async () => {
  const [c, s] = await pair();
  await c.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  await victimCloses(s, c, /userauthRequest outside authentication/);
});

test("server: a second SERVICE_REQUEST disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await c.send({ type: "serviceRequest", service: "ssh-userauth" });
  await victimCloses(s, c, /unexpected SERVICE_REQUEST/i);
});

test("server: a SERVICE_REQUEST for another service gets SERVICE_NOT_AVAILABLE", async () => {
  const [c, s] = await pair();
  await c.send({ type: "serviceRequest", service: "ssh-connection" });
  await victimCloses(s, c, /Service ssh-connection is not available/, 7);
});

test("client: a SERVICE_ACCEPT nobody asked for disconnects", async () => {
  const [c, s] = await pair();
  await s.send({ type: "serviceAccept", service: "ssh-userauth" });
  await victimCloses(c, s, /SERVICE_ACCEPT for ssh-userauth not requested/);
});

test("client: a SERVICE_REQUEST sent to a client disconnects", async () => {
  const [c, s] = await pair();
  await s.send({ type: "serviceRequest", service: "ssh-userauth" });
  await victimCloses(c, s, /unexpected SERVICE_REQUEST/i);
});

test("client: a USERAUTH_REQUEST sent to a client disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await s.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  await victimCloses(c, s, /userauthRequest sent to the client/);
});

test("server: a USERAUTH_SUCCESS sent to a server disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await c.send({ type: "userauthSuccess" });
  await victimCloses(s, c, /userauthSuccess sent to the server/);
});

test("server: USERAUTH_REQUEST after success is ignored (RFC 4252 §5.1)", async () => {
  const lines: string[] = [];
  const [c, s] = await authenticated({}, { trace: (l) => lines.push(l) });
  await c.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  await c.send(
    {
      type: "globalRequest",
      request: "other",
      name: "x@y",
      wantReply: false,
      data: new Uint8Array(0),
    } as Message,
  );
  assert.equal((await read(s)).type, "globalRequest");
  assert.ok(lines.includes("Ignoring USERAUTH_REQUEST after authentication succeeded"));
  await c.disconnect();
});
