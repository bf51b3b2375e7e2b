import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSshConfig } from "./ssh_config_parse.ts";
import { resolveSshConfig } from "./ssh_config_resolve.ts";
import { resolveJumpConfigs, sshConfigConnectOptions } from "./ssh_config_connect.ts";
import { SshConfigError } from "./ssh_config_error.ts";

function resolver(text: string) {
  const file = parseSshConfig(text, { file: "cfg" });
  return (host: string) =>
    resolveSshConfig({ host, files: [file], localUser: "me", home: "/home/me" });
}

test("connect options: only the algorithm lists the configuration set; times in milliseconds", () => {
  const resolve = resolver([
    "Host db",
    "  HostName db.internal",
    "  Port 2222",
    "  User app",
    "  Ciphers aes256-ctr",
    "  PubkeyAcceptedAlgorithms ssh-ed25519",
    "  ConnectTimeout 5",
    "  ServerAliveInterval 10",
    "  ServerAliveCountMax 4",
    "  RekeyLimit 1G 1h",
    "  StrictHostKeyChecking accept-new",
    "  HashKnownHosts yes",
  ].join("\n"));
  assert.deepEqual(sshConfigConnectOptions(resolve("db")), {
    hostname: "db.internal",
    port: 2222,
    username: "app",
    policy: "accept-new",
    hashKnownHosts: true,
    algorithms: { ciphers: ["aes256-ctr"] },
    publicKeyAlgorithms: ["ssh-ed25519"],
    connectTimeout: 5000,
    keepaliveInterval: 10_000,
    keepaliveCountMax: 4,
    rekeyBytes: 2 ** 30,
    rekeyInterval: 3_600_000,
  });
  // nothing set: the defaults of connect() itself
  assert.deepEqual(sshConfigConnectOptions(resolve("other")), {
    hostname: "other",
    port: 22,
    username: "me",
    policy: "ask",
    hashKnownHosts: false,
  });
  // Compression yes: OpenSSH's client list (zlib@openssh.com first); no: left to connect()
  const compress = resolver("Host z\n  Compression yes\nHost *\n  Compression no\n");
  assert.deepEqual(sshConfigConnectOptions(compress("z")).algorithms, {
    compression: ["zlib@openssh.com", "zlib", "none"],
  });
  assert.equal(sshConfigConnectOptions(compress("other")).algorithms, undefined);
});

test("jump hosts: each resolved by its own name; the outermost hop's own ProxyJump goes first", () => {
  const resolve = resolver([
    "Host db",
    "  ProxyJump ops@bastion:2200",
    "Host bastion",
    "  HostName bastion.example.org",
    "  User nobody",
    "  ProxyJump gw",
    "Host gw",
    "  Port 2022",
    "Host loop1",
    "  ProxyJump loop2",
    "Host loop2",
    "  ProxyJump loop1",
  ].join("\n"));
  const db = resolve("db");
  // the spec's user and port win over the hop's Host block, as -l and -p would
  const hop = (spec: { host: string; user?: string; port?: number }) => {
    const c = resolve(spec.host);
    return { ...c, user: spec.user ?? c.user, port: spec.port ?? c.port };
  };
  const chain = resolveJumpConfigs(db, hop);
  assert.deepEqual(chain.map((c) => `${c.user}@${c.hostName}:${c.port}`), [
    "me@gw:2022",
    "ops@bastion.example.org:2200",
  ]);
  assert.deepEqual(sshConfigConnectOptions(db, chain).proxyJump?.map((j) => j.hostname), [
    "gw",
    "bastion.example.org",
  ]);
  assert.throws(() => resolveJumpConfigs(resolve("loop1"), hop), SshConfigError);
});
