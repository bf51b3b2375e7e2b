import { test } from "node:test";
import assert from "node:assert/strict";
import { KnownHosts, MemoryStorage } from "@hush/hostkeys";
import { generateKey, KeyError, type PrivateKey, serializePrivateKey } from "@hush/keys";
import { memoryDuplexPair } from "./adapters/memory.ts";
import { accept } from "./accept.ts";
import { connect } from "./connect.ts";
import type { ConnectOptions } from "./connect_options.ts";
import { ProxyJumpError } from "./proxy_jump.ts";
import type { ForwardSocket } from "./server_forward_handlers.ts";
import type { ByteDuplex } from "@hush/transport";
import { SshError } from "@hush/wire";

interface Net {
  /** Host name → a function that gives a connection to its SSH server. */
  hosts: Map<string, () => ByteDuplex>;
  userKey: PrivateKey;
  /** The direct-tcpip opens each server saw, as `server: host:port`. */
  opens: string[];
  /** Authentications each server saw, as `server: user`. */
  logins: string[];
}

/** In-memory SSH servers by name, each forwarding direct-tcpip to the others by name. */
async function network(names: string[]): Promise<Net> {
  const userKey = await generateKey("ssh-ed25519");
  const net: Net = { hosts: new Map(), userKey, opens: [], logins: [] };
  for (const name of names) {
    const hostKey = await generateKey("ssh-ed25519");
    net.hosts.set(name, () => {
      const [near, far] = memoryDuplexPair();
      void accept(far, {
        hostKeys: [hostKey],
        authenticate: {
          publickey: (user, key) => {
            net.logins.push(`${name}: ${user}`);
            return key.equals(userKey.publicKey);
          },
        },
        onForward: {
          directTcpip: (r): ForwardSocket | false => {
            net.opens.push(`${name}: ${r.host}:${r.port}`);
            const next = net.hosts.get(r.host);
            return next && r.port === 22 ? next() : false;
          },
        },
      }).catch(() => {});
      return near;
    });
  }
  return net;
}

test("proxyJump: each hop connected through the one before, host keys recorded per hop", async () => {
  const net = await network(["gw", "bastion", "db"]);
  const storage = new MemoryStorage("", "known_hosts");
  const client = await connect({
    hostname: "db",
    username: "app",
    identities: [net.userKey],
    knownHosts: new KnownHosts([storage]),
    policy: "accept-new",
    duplex: net.hosts.get("gw")!(),
    proxyJump: [{ hostname: "gw", username: "ops" }, { hostname: "bastion" }],
  });
  assert.equal(client.jumps.length, 2);
  assert.deepEqual(net.opens, ["gw: bastion:22", "bastion: db:22"]);
  // a hop takes the destination's user name unless it has its own
  assert.deepEqual([...new Set(net.logins)], ["gw: ops", "bastion: app", "db: app"]);
  const hosts = (await storage.read())!.trim().split("\n").map((l) => l.split(" ")[0]);
  assert.deepEqual(hosts, ["gw", "bastion", "db"]);
  await client.close();
  // the hops close with the connection
  for (const jump of client.jumps) await jump.transport.closed;
});

test("proxyJump: a hop that cannot reach the next fails with ProxyJumpError", async () => {
  const net = await network(["gw"]);
  const traced: string[] = [];
  await assert.rejects(
    connect({
      hostname: "nowhere",
      username: "app",
      identities: [net.userKey],
      policy: "no",
      duplex: net.hosts.get("gw")!(),
      proxyJump: [{ hostname: "gw" }],
      trace: (line) => void (line.startsWith("Jump host") && traced.push(line)),
    }),
    (e) => {
      assert.ok(e instanceof ProxyJumpError && e instanceof SshError);
      assert.equal(e.code, "ERR_SSH_PROXY_JUMP");
      assert.equal(e.stage, "forward");
      assert.deepEqual(e.hop, { index: 0, hostname: "gw", port: 22, username: "app" });
      assert.deepEqual(e.target, { host: "nowhere", port: 22 });
      assert.match(e.message, /^Jump host gw could not open a channel to nowhere port 22: /);
      return true;
    },
  );
  assert.deepEqual(traced, ["Jump host gw: direct-tcpip to nowhere:22"]);
});

test("proxyJump: a hop's unknown host key under policy yes stops at that hop", async () => {
  const net = await network(["gw", "db"]);
  await assert.rejects(
    connect({
      hostname: "db",
      username: "app",
      identities: [net.userKey],
      knownHosts: new KnownHosts([new MemoryStorage("", "known_hosts")]),
      policy: "yes",
      duplex: net.hosts.get("gw")!(),
      proxyJump: [{ hostname: "gw" }],
    }),
    (e) => {
      assert.ok(e instanceof ProxyJumpError);
      assert.equal(e.stage, "connect");
      assert.equal((e.cause as Error).name, "HostKeyError");
      return true;
    },
  );
  assert.deepEqual(net.opens, [], "nothing was asked of a host whose key was refused");
});

test("proxyJump: hops inherit privateKey and hostVerifier; every key is parsed first", async () => {
  const net = await network(["gw", "bastion", "db"]);
  const privateKey = await serializePrivateKey(net.userKey, { passphrase: "a", rounds: 1 });
  const own = await serializePrivateKey(net.userKey, { passphrase: "b", rounds: 1 });
  const verified: string[] = [];
  const options = (bastionPassphrase: string): ConnectOptions => ({
    hostname: "db",
    username: "app",
    privateKey,
    passphrase: "a",
    hostVerifier: ({ host, port }) => verified.push(`${host}:${port}`) > 0,
    duplex: net.hosts.get("gw")!(),
    proxyJump: [
      { hostname: "gw" },
      { hostname: "bastion", privateKey: own, passphrase: bastionPassphrase },
    ],
  });
  // a hop's wrong passphrase fails before the first hop is reached
  await assert.rejects(connect(options("wrong")), (e) => e instanceof KeyError);
  assert.deepEqual(net.logins, []);
  const client = await connect(options("b"));
  assert.deepEqual(verified, ["gw:22", "bastion:22", "db:22"]);
  assert.deepEqual([...new Set(net.logins)], ["gw: app", "bastion: app", "db: app"]);
  await client.close();
});
