import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_MACS } from "@hush/cipher";
import { parseSshdArgs } from "./sshd_args.ts";
import {
  expandAuthorizedKeysPath,
  matchUserPatterns,
  parseListenAddress,
  sshdSettings,
} from "./sshd_config.ts";

const settings = (...argv: string[]) => sshdSettings(parseSshdArgs(argv));

test("defaults: 0.0.0.0:22, no forwarding, no password, OpenSSH's limits", () => {
  const s = settings();
  assert.equal(s.listenAddress, "0.0.0.0");
  assert.equal(s.port, 22);
  assert.deepEqual(s.forwarding, { local: false, remote: false });
  assert.equal(s.passwordFile, undefined);
  assert.equal(s.maxAuthTries, 6);
  assert.equal(s.loginGraceTime, 120_000);
  assert.equal(s.clientAliveInterval, 0);
  assert.equal(s.clientAliveCountMax, 3);
  assert.deepEqual(s.algorithms, {});
  assert.equal(s.pubkey, true);
});

test("-p wins over Port and ListenAddress's port; ListenAddress forms", () => {
  assert.equal(settings("-o", "ListenAddress=127.0.0.1:2200").port, 2200);
  assert.equal(settings("-p", "0", "-o", "ListenAddress=127.0.0.1:2200").port, 0);
  assert.equal(settings("-o", "Port=2222").port, 2222);
  assert.deepEqual(parseListenAddress("[::1]:22"), { host: "::1", port: 22 });
  assert.deepEqual(parseListenAddress("localhost"), { host: "localhost" });
});

test("algorithm lists take +, - and ^ and refuse names Hush does not have", () => {
  assert.deepEqual(settings("-o", "MACs=+hmac-sha1").algorithms.macs, [
    ...DEFAULT_MACS,
    "hmac-sha1",
  ]);
  assert.deepEqual(settings("-o", "Ciphers=^aes256-ctr").algorithms.ciphers?.[0], "aes256-ctr");
  assert.ok(
    !settings("-o", "KexAlgorithms=-diffie*").algorithms.kex?.some((k) => k.startsWith("diffie")),
  );
  assert.throws(() => settings("-o", "Ciphers=3des-cbc"), /unsupported 3des-cbc/);
  assert.throws(() => settings("-o", "HostKeyAlgorithms=ssh-dss"), /unsupported ssh-dss/);
});

test("RekeyLimit, MaxAuthTries and LoginGraceTime at and past their bounds", () => {
  const r = settings("-o", "RekeyLimit=1M 30s");
  assert.equal(r.rekeyBytes, 1 << 20);
  assert.equal(r.rekeyInterval, 30_000);
  assert.equal(settings("-o", "RekeyLimit=default none").rekeyBytes, undefined);
  assert.throws(() => settings("-o", "RekeyLimit=15"), /Bad RekeyLimit/);
  assert.equal(settings("-o", "RekeyLimit=16").rekeyBytes, 16);
  assert.equal(settings("-o", "MaxAuthTries=1").maxAuthTries, 1);
  assert.throws(() => settings("-o", "MaxAuthTries=0"), /Bad MaxAuthTries/);
  assert.equal(settings("-o", "LoginGraceTime=0").loginGraceTime, 0);
  assert.equal(settings("-o", "LoginGraceTime=2m").loginGraceTime, 120_000);
});

test("ClientAliveInterval in seconds (or with s/m/h), ClientAliveCountMax 0 (never drop) and up", () => {
  assert.equal(settings("-o", "ClientAliveInterval=15").clientAliveInterval, 15_000);
  assert.equal(settings("-o", "ClientAliveInterval 1m").clientAliveInterval, 60_000);
  assert.throws(() => settings("-o", "ClientAliveInterval=soon"), /Bad time/);
  assert.equal(settings("-o", "ClientAliveCountMax=1").clientAliveCountMax, 1);
  assert.equal(settings("-o", "ClientAliveCountMax=0").clientAliveCountMax, 0);
  assert.throws(() => settings("-o", "ClientAliveCountMax=-1"), /Bad ClientAliveCountMax/);
  assert.throws(() => settings("-o", "ClientAliveCountMax=many"), /Bad ClientAliveCountMax/);
});

test("MaxSessions: OpenSSH's 10 by default, any count from 0", () => {
  assert.equal(settings().maxSessions, 10);
  assert.equal(settings("-o", "MaxSessions=100").maxSessions, 100);
  assert.equal(settings("-o", "MaxSessions 0").maxSessions, 0);
  assert.throws(() => settings("-o", "MaxSessions=-1"), /Bad MaxSessions '-1'/);
  assert.throws(() => settings("-o", "MaxSessions=ten"), /Bad MaxSessions 'ten'/);
});

test("MaxStartups: OpenSSH's 10:30:100 by default, start:rate:full or one number", () => {
  assert.deepEqual(settings().maxStartups, { start: 10, rate: 30, full: 100 });
  assert.deepEqual(settings("-o", "MaxStartups=3:50:9").maxStartups, {
    start: 3,
    rate: 50,
    full: 9,
  });
  assert.deepEqual(settings("-o", "MaxStartups 5").maxStartups, { start: 5, rate: 100, full: 5 });
  assert.throws(() => settings("-o", "MaxStartups=10:30"), /Bad MaxStartups/);
});

test("password needs a PasswordFile; AllowTcpForwarding values", () => {
  assert.throws(() => settings("-o", "PasswordAuthentication=yes"), /needs a PasswordFile/);
  assert.equal(settings("-o", "PasswordFile=/p").passwordFile, "/p");
  assert.equal(
    settings("-o", "PasswordFile=/p", "-o", "PasswordAuthentication=no").passwordFile,
    undefined,
  );
  assert.deepEqual(settings("-o", "AllowTcpForwarding=yes").forwarding, {
    local: true,
    remote: true,
  });
  assert.deepEqual(settings("-o", "AllowTcpForwarding=remote").forwarding, {
    local: false,
    remote: true,
  });
  assert.throws(() => settings("-o", "AllowTcpForwarding=maybe"), /Bad AllowTcpForwarding/);
});

test("AuthorizedKeysFile tokens and none", () => {
  assert.deepEqual(settings("-o", "AuthorizedKeysFile=none").authorizedKeysFiles, []);
  assert.deepEqual(settings("-o", "AuthorizedKeysFile=/etc/keys/%u .ssh/ak").authorizedKeysFiles, [
    "/etc/keys/%u",
    ".ssh/ak",
  ]);
  assert.equal(expandAuthorizedKeysPath("/etc/keys/%u", "bob", "/home/me"), "/etc/keys/bob");
  assert.equal(expandAuthorizedKeysPath("%h/x%%", "bob", "/home/me/"), "/home/me//x%");
  assert.equal(expandAuthorizedKeysPath(".ssh/ak", "bob", "/home/me/"), "/home/me/.ssh/ak");
});

test("%u never leaves the directory its path names, whatever the user name", () => {
  for (const user of ["..", ".", "", "../../tmp/x", "a/b", "/abs"]) {
    assert.equal(expandAuthorizedKeysPath("/etc/keys/%u", user, "/home/me"), undefined, user);
  }
  // A segment that only becomes `..` with the name is refused too, not just the name itself.
  assert.equal(expandAuthorizedKeysPath("/etc/keys/.%u", ".", "/home/me"), undefined);
  assert.equal(expandAuthorizedKeysPath("/etc/keys/%u%u", ".", "/home/me"), undefined);
  // Segments without %u are the administrator's: `..` there stays as written.
  assert.equal(expandAuthorizedKeysPath("/etc/../keys/%u", "bob", "/h"), "/etc/../keys/bob");
  assert.equal(expandAuthorizedKeysPath("%h/keys_%u", "bob", "/home/me"), "/home/me/keys_bob");
});

test("AllowUsers patterns", () => {
  assert.deepEqual(settings("-o", "AllowUsers=alice g?t dev-*").allowUsers, [
    "alice",
    "g?t",
    "dev-*",
  ]);
  assert.equal(settings().allowUsers, undefined);
  assert.throws(() => settings("-o", "AllowUsers=alice@10.0.0.1"), /not supported/);
  const allow = ["alice", "g?t", "dev-*"];
  assert.ok(matchUserPatterns("git", allow));
  assert.ok(matchUserPatterns("dev-", allow));
  assert.ok(matchUserPatterns("dev-ops", allow));
  assert.ok(!matchUserPatterns("Alice", allow)); // user names are case-sensitive
  assert.ok(!matchUserPatterns("gitt", allow));
  assert.ok(matchUserPatterns("a".repeat(200) + "b", ["*a*a*a*a*b"]));
  assert.ok(!matchUserPatterns("a".repeat(255), ["*a*a*a*a*b"]));
});

test("GatewayPorts values", () => {
  assert.equal(settings().gatewayPorts, "clientspecified");
  assert.equal(settings("-o", "GatewayPorts=no").gatewayPorts, "no");
  assert.equal(settings("-o", "GatewayPorts=Yes").gatewayPorts, "yes");
  assert.throws(() => settings("-o", "GatewayPorts=maybe"), /Bad GatewayPorts/);
});

test("AllowAgentForwarding: yes by default, as OpenSSH's", () => {
  assert.equal(settings().agentForwarding, true);
  assert.equal(settings("-o", "AllowAgentForwarding=no").agentForwarding, false);
  assert.throws(() => settings("-o", "AllowAgentForwarding=maybe"), /Expected yes or no/);
});

test("WebSocketListen and WebSocketOrigins (Hush extensions): off by default; host:port needed", () => {
  assert.equal(settings().webSocket, undefined);
  assert.deepEqual(
    settings(
      "-o",
      "WebSocketListen=127.0.0.1:0",
      "-o",
      "WebSocketOrigins=http://127.0.0.1:8080, https://console.example",
    ).webSocket,
    {
      hostname: "127.0.0.1",
      port: 0,
      origins: ["http://127.0.0.1:8080", "https://console.example"],
    },
  );
  assert.deepEqual(settings("-o", "WebSocketListen=[::1]:8023").webSocket, {
    hostname: "::1",
    port: 8023,
    origins: [],
  });
  assert.throws(() => settings("-o", "WebSocketListen=127.0.0.1"), /Bad WebSocketListen/);
});

test("Compression: yes and delayed allow zlib@openssh.com after none (OpenSSH's default), no allows none", () => {
  assert.equal(settings().algorithms.compression, undefined); // the transport's server default
  assert.deepEqual(settings("-o", "Compression=yes").algorithms.compression, [
    "none",
    "zlib@openssh.com",
  ]);
  assert.deepEqual(settings("-o", "Compression=delayed").algorithms.compression, [
    "none",
    "zlib@openssh.com",
  ]);
  assert.deepEqual(settings("-o", "Compression=no").algorithms.compression, ["none"]);
  assert.throws(() => settings("-o", "Compression=zlib"), /Bad Compression 'zlib'/);
});
