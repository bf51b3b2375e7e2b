import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSshConfig } from "./ssh_config_parse.ts";
import { expandSshConfigPath, resolveSshConfig } from "./ssh_config_resolve.ts";
import { formatSshConfig } from "./ssh_config_format.ts";
import { SshConfigError } from "./ssh_config_error.ts";
import { ALGORITHM_DEFAULTS, assembleAlgorithms } from "./ssh_config_algorithms.ts";
import { expandSshConfigString } from "./ssh_config_tokens.ts";

const local = { localUser: "me", home: "/home/me", localHostname: "vm", uid: 1000 };

function resolve(host: string, text: string, extra: Record<string, unknown> = {}) {
  const file = parseSshConfig(text, { file: "cfg" });
  return resolveSshConfig({ host, files: [file], ...local, ...extra });
}

test("first value wins; Host patterns with * ? ! and several patterns", () => {
  const text = [
    "Host *.example.org !bad.example.org",
    "  User first",
    "  Port 2200",
    "Host web?.example.org db",
    "  User second",
    "  Port 2300",
    "Host *",
    "  User last",
  ].join("\n");
  assert.equal(resolve("a.example.org", text).user, "first");
  assert.equal(resolve("web1.example.org", text).port, 2200);
  assert.equal(resolve("bad.example.org", text).user, "last", "! excludes");
  assert.equal(resolve("db", text).user, "second");
  assert.equal(resolve("web10.example.org", text).user, "first", "? is one character");
  assert.equal(resolve("other", text).user, "last");
  // Host compares exactly, as OpenSSH's match_pattern
  assert.equal(resolve("A.EXAMPLE.ORG", text).user, "last");
  assert.equal(resolve("A.EXAMPLE.ORG", text).hostName, "a.example.org");
});

test("HostName with %h; Match host sees it, originalhost the name given", () => {
  const text = [
    "Host short",
    "  HostName %h.corp.example",
    "Match host *.corp.example",
    "  User corp",
    "Match originalhost SHORT",
    "  Port 2222",
  ].join("\n");
  const c = resolve("short", text);
  assert.equal(c.hostName, "short.corp.example");
  assert.equal(c.user, "corp");
  assert.equal(c.port, 2222, "Match compares host names without regard to case");
  assert.equal(c.host, "short");
});

test("Match user, localuser, all, negation; final and canonical match in a second pass", () => {
  const text = [
    "Match user root !localuser me",
    "  Port 1",
    "Match !localuser nobody user me",
    "  ConnectTimeout 5",
    "Host alias",
    "  HostName Real.Example",
    "Match final host real.example",
    "  User finaluser",
    "Match canonical",
    "  ServerAliveInterval 9",
    "Match all",
    "  ServerAliveCountMax 7",
  ].join("\n");
  const c = resolve("alias", text);
  assert.equal(c.port, 22);
  assert.equal(c.connectTimeout, 5);
  assert.equal(c.hostName, "real.example");
  assert.equal(c.user, "finaluser");
  assert.equal(c.serverAliveInterval, 9);
  assert.equal(c.serverAliveCountMax, 7);
  // without `Match final` there is no second pass, so canonical never matches
  assert.equal(resolve("x", "Match canonical\n  Port 9").port, 22);
  // Match user is exact
  assert.equal(resolve("x", "User Root\nMatch user root\n  Port 9").port, 22);
});

test("Match exec: refused unless enabled; tokens expanded; skipped after a failed criterion", () => {
  const text = `Match host db exec "test %h = db"\n  Port 2222\n`;
  assert.equal(resolve("web", text).port, 22, "not run: host failed first");
  assert.throws(
    () => resolve("db", text),
    (e) =>
      e instanceof SshConfigError && e.line === 1 &&
      /Match exec is not enabled, refusing to run "test db = db"/.test(e.message),
  );
  const ran: string[] = [];
  const exec = (command: string) => (ran.push(command), true);
  assert.equal(resolve("db", text, { exec }).port, 2222);
  assert.deepEqual(ran, ["test db = db"]);
});

test("unknown keywords: an error anywhere, unless IgnoreUnknown (set first) lists them", () => {
  assert.throws(
    () => resolve("x", "Host nomatch\n  UseKeychain yes"),
    (e) =>
      e instanceof SshConfigError &&
      e.message === "cfg: line 2: Bad configuration option: usekeychain",
  );
  assert.equal(resolve("x", "IgnoreUnknown UseKeychain,AddKeys*\nUseKeychain yes").port, 22);
  assert.throws(() => resolve("x", "UseKeychain yes\nIgnoreUnknown UseKeychain"), SshConfigError);
  // known OpenSSH options Hush does not act on are read and reported, not refused
  const c = resolve("x", "ForwardX11 yes\nHost nomatch\n  ControlMaster auto");
  assert.deepEqual(c.ignored, [{ keyword: "ForwardX11", where: { file: "cfg", line: 1 } }]);
});

test("lists that add up: IdentityFile (no duplicates), forwardings, SendEnv with -; SetEnv once", () => {
  const c = resolve(
    "h",
    [
      "IdentityFile ~/.ssh/a",
      "IdentityFile ~/.ssh/a",
      "IdentityFile ~/.ssh/b",
      "LocalForward 8080 localhost:80",
      "LocalForward 8080 localhost:80",
      "DynamicForward 1080",
      "RemoteForward 9091",
      "SendEnv A B_*",
      "SendEnv -A C",
      "SetEnv X=1",
      "SetEnv Y=2",
    ].join("\n"),
  );
  assert.deepEqual(c.identityFile, ["~/.ssh/a", "~/.ssh/b"]);
  assert.equal(c.localForward.length, 1);
  assert.deepEqual(c.dynamicForward, [{ listenPort: 1080, connectHost: "socks", connectPort: 0 }]);
  assert.deepEqual(c.remoteForward, [{ listenPort: 9091, connectHost: "socks", connectPort: 0 }]);
  assert.deepEqual(c.sendEnv, ["B_*", "C"]);
  assert.deepEqual(c.setEnv, ["X=1"]);
  assert.deepEqual(resolve("h", "").identityFile, [
    "~/.ssh/id_ed25519",
    "~/.ssh/id_ecdsa",
    "~/.ssh/id_rsa",
  ]);
  const cleared = resolve("h", "ClearAllForwardings yes\nLocalForward 1 h:2\nDynamicForward 3");
  assert.deepEqual([cleared.localForward, cleared.dynamicForward], [[], []]);
});

test("ProxyJump and ProxyCommand: whichever comes first; none turns both off", () => {
  assert.deepEqual(resolve("h", "ProxyJump a@j:22,k\nProxyCommand nc %h %p").proxyJumpHosts, [
    { host: "j", user: "a", port: 22 },
    { host: "k" },
  ]);
  const pc = resolve("h", "ProxyCommand nc %h %p\nProxyJump j");
  assert.deepEqual([pc.proxyCommand, pc.proxyJump], ["nc %h %p", undefined]);
  const none = resolve("h", "ProxyJump none\nProxyCommand nc %h %p\nProxyJump j");
  assert.deepEqual([none.proxyCommand, none.proxyJump, none.proxyJumpHosts], [
    undefined,
    undefined,
    [],
  ]);
});

test("Include: files inside a block that does not apply are read, never applied", () => {
  const included = parseSshConfig("Port 1001\nHost other\n  User nobodyx\n", { file: "inc" });
  const main = parseSshConfig(
    "Host x\n  Include inc\n  User afterinclude\nHost y\n  Include inc\n",
    {
      file: "main",
    },
  );
  for (const e of main.entries) if (e.kind === "include") e.files.push(included);
  const at = (host: string) => resolveSshConfig({ host, files: [main], ...local });
  assert.deepEqual([at("x").user, at("x").port], ["afterinclude", 1001]);
  assert.deepEqual([at("y").user, at("y").port], ["me", 1001]);
  assert.deepEqual([at("other").user, at("other").port], ["me", 22]);
});

test("the command line comes first; files follow in order", () => {
  const user = parseSshConfig("Port 2\nUser fromuser\n", { file: "~/.ssh/config" });
  const system = parseSshConfig("Port 3\nConnectTimeout 4\n", {
    file: "/etc/ssh/ssh_config",
    user: false,
  });
  const cli = parseSshConfig("Port 1", { file: "command-line", commandLine: true });
  const c = resolveSshConfig({ host: "h", files: [user, system], commandLine: cli, ...local });
  assert.deepEqual([c.port, c.user, c.connectTimeout], [1, "fromuser", 4]);
});

test("tokens and ~: UserKnownHostsFile and IdentityAgent expanded, IdentityFile kept as written", () => {
  const c = resolve(
    "Alias",
    [
      "HostName real-%h.example.org",
      "User alice",
      "IdentityFile ~/.ssh/id_%h",
      "UserKnownHostsFile ~/kh/%h %d/%u-%r %C",
      "IdentityAgent ~/agent-%L.sock",
      "ForwardAgent /tmp/a%p",
    ].join("\n"),
  );
  assert.equal(c.hostName, "real-alias.example.org");
  assert.deepEqual(c.identityFile, ["~/.ssh/id_%h"]);
  assert.equal(
    expandSshConfigPath(c.identityFile[0], c),
    "/home/me/.ssh/id_real-alias.example.org",
  );
  assert.deepEqual(c.userKnownHostsFile, [
    "/home/me/kh/real-alias.example.org",
    "/home/me/me-alice",
    // sha1("vm" + "real-alias.example.org" + "22" + "alice")
    c.tokens.C,
  ]);
  assert.match(c.tokens.C, /^[0-9a-f]{40}$/);
  assert.equal(c.identityAgent, "/home/me/agent-vm.sock");
  assert.equal(c.forwardAgentSocket, "/tmp/a22");
  assert.throws(() => resolve("h", "UserKnownHostsFile ~/%Z"), /cfg line 1: .*Unknown token %Z/);
  assert.equal(
    expandSshConfigString("${HOME}/x-%%", { env: { HOME: "/h" }, tokens: {} }),
    "/h/x-%",
  );
  assert.throws(() => expandSshConfigString("${NOPE}", { env: {} }), /has no value/);
});

test("algorithm lists: replace, +append, -remove with wildcards, ^first; unknown to Hush left out", () => {
  assert.deepEqual(assembleAlgorithms("Ciphers", "aes256-ctr,aes128-ctr"), [
    "aes256-ctr",
    "aes128-ctr",
  ]);
  assert.deepEqual(assembleAlgorithms("Ciphers", "-aes*"), ["chacha20-poly1305@openssh.com"]);
  assert.deepEqual(
    assembleAlgorithms("MACs", "+hmac-sha1,hmac-sha2-256"),
    [...ALGORITHM_DEFAULTS.MACs, "hmac-sha1"],
  );
  assert.deepEqual(assembleAlgorithms("Ciphers", "^aes256-ctr").slice(0, 2), [
    "aes256-ctr",
    "chacha20-poly1305@openssh.com",
  ]);
  assert.deepEqual(assembleAlgorithms("HostKeyAlgorithms", "ssh-ed*"), [
    "ssh-ed25519",
    "ssh-ed25519-cert-v01@openssh.com",
  ]);
  assert.deepEqual(assembleAlgorithms("KexAlgorithms", "+diffie-hellman-group1-sha1"), [
    ...ALGORITHM_DEFAULTS.KexAlgorithms,
  ]);
  assert.throws(
    () => resolve("h", "Host h\n  Ciphers aes128-cbc"),
    /cfg line 2: No algorithm Hush supports is left in Ciphers 'aes128-cbc'/,
  );
  assert.deepEqual(resolve("other", "Host h\n  Ciphers aes128-cbc").ciphers, [
    ...ALGORITHM_DEFAULTS.Ciphers,
  ]);
});

test("ssh -G's format: OpenSSH's spellings and order", () => {
  const text = formatSshConfig(
    resolve(
      "h",
      [
        "StrictHostKeyChecking no",
        "RequestTTY yes",
        "RekeyLimit 1G 1h",
        "LocalForward *:8082 h:82",
        "DynamicForward localhost:1081",
        "RemoteForward 9091",
        "UserKnownHostsFile none",
        "ProxyJump 10.0.0.1",
      ].join("\n"),
    ),
  );
  const lines = text.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, 4), ["host h", "user me", "hostname h", "port 22"]);
  for (
    const l of [
      "stricthostkeychecking false",
      "requesttty true",
      "rekeylimit 1073741824 3600",
      "localforward [*]:8082 [h]:82",
      "dynamicforward [localhost]:1081",
      "remoteforward 9091 [socks]:0",
      "userknownhostsfile none",
      "connecttimeout none",
      "forwardagent no",
    ]
  ) assert.ok(lines.includes(l), l);
  assert.equal(lines.at(-1), "proxyjump [10.0.0.1]");
});
