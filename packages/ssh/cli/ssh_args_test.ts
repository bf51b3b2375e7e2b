import { test } from "node:test";
import assert from "node:assert/strict";
import {
  algorithmList,
  parseForwardSpec,
  parseJumpHosts,
  parseSize,
  parseSshArgs,
  UsageError,
} from "./ssh_args.ts";
import { parseSshdArgs, parseTime, yesNo } from "./sshd_args.ts";
import { resolveCommandLineConfig, resolveSshSettings } from "./ssh_config.ts";
import { parseSshConfig } from "../ssh_config_parse.ts";
import { formatSshConfig } from "../ssh_config_format.ts";
import { failureMessage } from "./ssh.ts";
import { sessionEndMessage } from "./ssh_failure.ts";

test("ssh: OpenSSH-style flags, grouped flags, user@host and the command", () => {
  const a = parseSshArgs([
    "-vvT",
    "-p2222",
    "-i",
    "k1",
    "-ik2",
    "-o",
    "BatchMode=yes",
    "-o",
    "ciphers aes128-ctr",
    "u@h",
    "echo",
    "a b",
  ]);
  assert.equal(a.verbose, 2);
  assert.equal(a.tty, false);
  assert.equal(a.port, 2222);
  assert.deepEqual(a.identityFiles, ["k1", "k2"]);
  assert.equal(a.options.get("batchmode"), "yes");
  assert.equal(a.options.get("ciphers"), "aes128-ctr");
  assert.equal(a.user, "u");
  assert.equal(a.host, "h");
  assert.deepEqual(a.command, ["echo", "a b"]);
});

test("ssh: -l, -N, -L and -R specs, -F none", () => {
  const a = parseSshArgs([
    "-F",
    "none",
    "-N",
    "-l",
    "me",
    "-L",
    "127.0.0.1:8080:web:80",
    "-R",
    "9000:[::1]:22",
    "host",
  ]);
  assert.equal(a.user, "me");
  assert.equal(a.noCommand, true);
  assert.deepEqual(a.localForwards, [{
    bindAddress: "127.0.0.1",
    bindPort: 8080,
    host: "web",
    hostPort: 80,
  }]);
  assert.deepEqual(a.remoteForwards, [{ bindPort: 9000, host: "::1", hostPort: 22 }]);
});

test("ssh: bad input is a UsageError", () => {
  assert.throws(() => parseSshArgs([]), UsageError);
  assert.throws(() => parseSshArgs([]), { name: "UsageError", code: "ERR_SSH_USAGE" });
  assert.throws(() => parseSshArgs(["-p", "70000", "h"]), UsageError);
  assert.throws(() => parseSshArgs(["-o", "NoSuchOption=1", "h"]), UsageError);
  assert.throws(() => parseSshArgs(["-Z", "h"]), UsageError);
  assert.throws(() => parseSshArgs(["-D", "a:b:c", "h"]), /Bad dynamic forwarding specification/);
  assert.throws(() => parseSshArgs(["-L", "8080", "h"]), /Bad local forwarding specification/);
  assert.throws(() => parseSshArgs(["-o", "Port=0", "h"]), /command-line line 0: Bad port '0'./);
  // -F names a file now (it was `-F none` only)
  assert.equal(parseSshArgs(["-F", "/etc/ssh/ssh_config", "h"]).configFile, "/etc/ssh/ssh_config");
  assert.throws(() => parseForwardSpec("1:2"), UsageError);
});

test("algorithm lists: replace, append, remove with wildcards, prepend", () => {
  const d = ["a-1", "b-2", "c-3"];
  assert.deepEqual(algorithmList("b-2", d), ["b-2"]);
  assert.deepEqual(algorithmList("+x", d), ["a-1", "b-2", "c-3", "x"]);
  assert.deepEqual(algorithmList("-a*,c-3", d), ["b-2"]);
  assert.deepEqual(algorithmList("^c-3", d), ["c-3", "a-1", "b-2"]);
});

test("sizes and times", () => {
  assert.equal(parseSize("512"), 512);
  assert.equal(parseSize("1G"), 1 << 30);
  assert.throws(() => parseSize("1T"), UsageError);
  assert.equal(parseTime("90"), 90_000);
  assert.equal(parseTime("1h"), 3_600_000);
  assert.equal(yesNo(undefined, true), true);
  assert.throws(() => yesNo("maybe", true), UsageError);
});

test("sshd: -d, -p, -h and -o HostKey", () => {
  const a = parseSshdArgs([
    "-dd",
    "-p",
    "0",
    "-h",
    "k1",
    "-o",
    "HostKey=k2",
    "-o",
    "MaxAuthTries 3",
    "-o",
    "HostCertificate=k1-cert.pub",
    "-o",
    "hostcertificate k2-cert.pub",
  ]);
  assert.equal(a.debug, 2);
  assert.equal(a.port, 0);
  assert.deepEqual(a.hostKeyFiles, ["k1", "k2"]);
  assert.deepEqual(a.hostCertificateFiles, ["k1-cert.pub", "k2-cert.pub"]);
  assert.equal(a.options.get("maxauthtries"), "3");
  assert.throws(() => parseSshdArgs(["-x"]), UsageError);
  // `deno task sshd -- -p 0` hands the `--` on
  assert.equal(parseSshdArgs(["--", "-p", "0"]).port, 0);
});

test("ssh: -q, -n, -tt and ssh:// destinations", () => {
  const a = parseSshArgs(["-qntt", "ssh://me@example.org:2200", "ls"]);
  assert.equal(a.quiet, true);
  assert.equal(a.noStdin, true);
  assert.equal(a.ttyCount, 2);
  assert.deepEqual([a.user, a.host, a.port], ["me", "example.org", 2200]);
  assert.equal(parseSshArgs(["-V"]).version, true, "-V needs no host");
  // -o IdentityFile adds to -i; for other keys the first value given wins, as in ssh_config
  const o = parseSshArgs(["-i", "a", "-o", "IdentityFile=b", "-o", "Port=1", "-o", "Port=2", "h"]);
  assert.deepEqual(o.identityFiles, ["a", "b"]);
  assert.equal(o.port, 1);
});

const context = { home: "/home/me", env: { USER: "me" }, terminal: true };

test("ssh settings: OpenSSH's defaults", () => {
  const s = resolveSshSettings(parseSshArgs(["example.org"]), context);
  assert.deepEqual([s.user, s.host, s.port, s.policy, s.batchMode], [
    "me",
    "example.org",
    22,
    "ask",
    false,
  ]);
  // OpenSSH's defaults, as its ssh -G prints them
  assert.deepEqual(s.knownHostsFiles, [
    "/home/me/.ssh/known_hosts",
    "/home/me/.ssh/known_hosts2",
    "/etc/ssh/ssh_known_hosts",
    "/etc/ssh/ssh_known_hosts2",
  ]);
  assert.deepEqual(s.identityFiles.map((f) => f.path), [
    "/home/me/.ssh/id_ed25519",
    "/home/me/.ssh/id_ecdsa",
    "/home/me/.ssh/id_rsa",
  ]);
  assert.equal(s.agentSocket, undefined);
  assert.deepEqual(s.algorithms, {});
  assert.equal(s.passwordAuthentication, true);
  assert.ok(s.pubkeyAlgorithms.includes("ssh-ed25519"));
  // without a terminal nobody can be asked: unknown hosts are refused
  assert.equal(
    resolveSshSettings(parseSshArgs(["h"]), { ...context, terminal: false }).policy,
    "yes",
  );
});

test("ssh settings: -o options", () => {
  const s = resolveSshSettings(
    parseSshArgs([
      "-i",
      "~/k",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=ask",
      "-o",
      "UserKnownHostsFile=~/kh /tmp/kh2",
      "-o",
      "GlobalKnownHostsFile=none",
      "-o",
      "IdentityAgent=~/agent.sock",
      "-o",
      "PasswordAuthentication=no",
      "-o",
      "ConnectTimeout=5",
      "-o",
      "RekeyLimit=1M 1h",
      "-o",
      "ServerAliveInterval=15",
      "-o",
      "Ciphers=^aes128-ctr",
      "-o",
      "KexAlgorithms=-sntrup*,mlkem*",
      "-o",
      "MACs=+hmac-sha1",
      "-o",
      "HostKeyAlgorithms=ssh-ed25519,rsa-sha2-512",
      "-o",
      "PubkeyAcceptedAlgorithms=ssh-ed25519",
      "-l",
      "root",
      "h",
    ]),
    { ...context, env: { SSH_AUTH_SOCK: "/run/agent" } },
  );
  assert.equal(s.user, "root");
  assert.equal(s.policy, "yes", "BatchMode turns ask into yes");
  assert.deepEqual(s.knownHostsFiles, ["/home/me/kh", "/tmp/kh2"]);
  assert.deepEqual(s.identityFiles, [{ path: "/home/me/k", explicit: true }]);
  assert.equal(s.agentSocket, "/home/me/agent.sock");
  assert.equal(s.passwordAuthentication, false);
  assert.equal(s.connectTimeout, 5000);
  assert.equal(s.rekeyBytes, 1 << 20);
  assert.equal(s.rekeyInterval, 3_600_000);
  assert.equal(s.pubkeyAlgorithmsGiven, true);
  assert.equal(s.keepaliveInterval, 15_000);
  assert.equal(s.algorithms.ciphers?.[0], "aes128-ctr");
  assert.ok(s.algorithms.ciphers!.length > 1);
  assert.ok(!s.algorithms.kex!.some((k) => k.startsWith("sntrup") || k.startsWith("mlkem")));
  assert.equal(s.algorithms.macs!.at(-1), "hmac-sha1");
  assert.deepEqual(s.algorithms.hostKey, ["ssh-ed25519", "rsa-sha2-512"]);
  assert.deepEqual(s.pubkeyAlgorithms, ["ssh-ed25519"]);
});

test("ssh settings: policies, agent off, bad values", () => {
  const policy = (v: string) =>
    resolveSshSettings(parseSshArgs(["-o", `StrictHostKeyChecking=${v}`, "h"]), context).policy;
  assert.equal(policy("accept-new"), "accept-new");
  assert.equal(policy("no"), "no");
  assert.equal(policy("yes"), "yes");
  assert.equal(policy("ask"), "ask");
  assert.throws(() => policy("maybe"), UsageError);
  const env = { SSH_AUTH_SOCK: "/run/agent" };
  assert.equal(
    resolveSshSettings(parseSshArgs(["h"]), { ...context, env }).agentSocket,
    "/run/agent",
  );
  assert.equal(
    resolveSshSettings(parseSshArgs(["-o", "IdentityAgent=none", "h"]), { ...context, env })
      .agentSocket,
    undefined,
  );
  const bad = (o: string) => () => resolveSshSettings(parseSshArgs(["-o", o, "h"]), context);
  assert.throws(bad("Ciphers=3des-cbc"), UsageError);
  assert.throws(bad("KexAlgorithms=-*"), UsageError);
  assert.throws(bad("BatchMode=perhaps"), UsageError);
  assert.throws(bad("ConnectTimeout=soon"), UsageError);
  assert.throws(bad("RekeyLimit=lots"), UsageError);
  assert.throws(bad("RequestTTY=maybe"), UsageError);
  assert.equal(
    resolveSshSettings(parseSshArgs(["-o", "RequestTTY=force", "h"]), context).requestTty,
    "force",
  );
});

test("ssh failure messages read like OpenSSH's", () => {
  const where = { host: "h", port: 2222, user: "me" };
  const named = (name: string, message: string, cause?: unknown) =>
    Object.assign(new Error(message, { cause }), { name });
  assert.equal(
    failureMessage(named("AuthError", "Permission denied (publickey,password)"), where),
    "me@h: Permission denied (publickey,password).",
  );
  assert.equal(
    failureMessage(
      named("DisconnectError", "x", named("HostKeyError", "Host key verification failed.")),
      where,
    ),
    "Host key verification failed.",
  );
  assert.equal(
    failureMessage(new Error("Connection to h port 2222 timed out"), { ...where, connected: true }),
    "Connection timed out during banner exchange\nConnection to h port 2222 timed out",
  );
  assert.equal(
    failureMessage(new Error("Connection to h port 2222 timed out"), where),
    "ssh: connect to host h port 2222: Connection timed out",
  );
  assert.equal(
    failureMessage(named("TimeoutError", "Signal timed out."), where),
    "ssh: connect to host h port 2222: Connection timed out",
  );
  assert.equal(
    failureMessage(
      new Error("failed to lookup address information: Name or service not known"),
      where,
    ),
    "ssh: Could not resolve hostname h: Name or service not known",
  );
  assert.equal(
    failureMessage(
      Object.assign(
        named("DisconnectError", "Peer disconnected: Too many authentication failures"),
        {
          fromPeer: true,
          reason: 2,
          description: "Too many authentication failures",
        },
      ),
      where,
    ),
    "Received disconnect from h port 2222:2: Too many authentication failures\nDisconnected from h port 2222",
  );
  // As OpenSSH 9.2 words each (checked against servers that close, send a bad line, or garbage)
  const ours = (reason: number, description: string) =>
    Object.assign(named("DisconnectError", `Disconnected: ${description}`), {
      fromPeer: false,
      reason,
      description,
    });
  assert.equal(
    failureMessage(ours(10, "Connection closed before the identification line"), where),
    "kex_exchange_identification: Connection closed by remote host\nConnection closed by h port 2222",
  );
  assert.equal(
    failureMessage(ours(2, "Identification line contains a NUL byte"), where),
    "kex_exchange_identification: Identification line contains a NUL byte\nbanner exchange: Connection to h port 2222: invalid format",
  );
  assert.equal(
    failureMessage(ours(5, "Corrupted MAC on input"), where),
    "Corrupted MAC on input.\nssh_dispatch_run_fatal: Connection to h port 2222: message authentication code incorrect",
  );
  assert.equal(
    failureMessage(ours(2, "Bad packet length 1139282095: over the limit of 262144"), where),
    "ssh_dispatch_run_fatal: Connection to h port 2222: Bad packet length 1139282095: over the limit of 262144",
  );
  assert.equal(
    failureMessage(ours(10, "Connection closed by peer"), where),
    "Connection closed by h port 2222",
  );
  // A session's end: the cause when there is one, else OpenSSH's words for a lost connection
  assert.equal(sessionEndMessage(undefined, "h", 2222), "Connection to h closed by remote host.");
  assert.equal(
    sessionEndMessage(ours(10, "Connection closed by peer"), "h", 2222),
    "Connection to h closed by remote host.",
  );
  assert.equal(
    sessionEndMessage(ours(5, "Corrupted MAC on input"), "h", 2222),
    "Corrupted MAC on input.\nssh_dispatch_run_fatal: Connection to h port 2222: message authentication code incorrect",
  );
  assert.match(
    failureMessage(named("KexError", "No common cipher"), where),
    /^Unable to negotiate with h port 2222: /,
  );
});

test("agent forwarding: -A and -a (the last wins) over ForwardAgent yes, no or a socket", () => {
  const env = { SSH_AUTH_SOCK: "/run/agent", OTHER_SOCK: "/run/other" };
  const forward = (...argv: string[]) =>
    resolveSshSettings(parseSshArgs([...argv, "h"]), { ...context, env }).forwardAgentSocket;
  assert.equal(forward(), undefined);
  assert.equal(forward("-A"), "/run/agent");
  assert.equal(forward("-A", "-a"), undefined);
  assert.equal(forward("-aA"), "/run/agent");
  assert.equal(forward("-o", "ForwardAgent=yes"), "/run/agent");
  assert.equal(forward("-o", "ForwardAgent=no"), undefined);
  assert.equal(forward("-a", "-o", "ForwardAgent=yes"), undefined);
  assert.equal(forward("-o", "ForwardAgent=$OTHER_SOCK"), "/run/other");
  assert.equal(forward("-o", "ForwardAgent=/tmp/a.sock"), "/tmp/a.sock");
  assert.equal(forward("-A", "-o", "ForwardAgent=/tmp/a.sock"), "/tmp/a.sock");
  // -A without an agent to forward forwards nothing, as ssh does
  assert.equal(
    resolveSshSettings(parseSshArgs(["-A", "h"]), { ...context, env: {} }).forwardAgentSocket,
    undefined,
  );
});

test("-J and ProxyJump: hops in order, user and port each, ssh:// and [v6]; -J wins; none", () => {
  assert.deepEqual(parseJumpHosts("bastion"), [{ host: "bastion" }]);
  assert.deepEqual(parseJumpHosts("alice@bastion:2222,ssh://bob@inner:22,[::1]:2200"), [
    { host: "bastion", user: "alice", port: 2222 },
    { host: "inner", user: "bob", port: 22 },
    { host: "::1", port: 2200 },
  ]);
  for (const bad of ["", "a:b", "@host", "host:0", "host:70000", "a,,b"]) {
    assert.throws(() => parseJumpHosts(bad), UsageError, bad);
  }
  const jumps = (...argv: string[]) =>
    resolveSshSettings(parseSshArgs([...argv, "-p", "2022", "target"]), context).jumps;
  assert.deepEqual(jumps(), []);
  // a hop without user or port takes ssh's defaults, not the destination's -p
  assert.deepEqual(jumps("-J", "j1,root@j2:23"), [
    { host: "j1", port: 22, user: "me" },
    { host: "j2", port: 23, user: "root" },
  ]);
  assert.deepEqual(jumps("-o", "ProxyJump=j3"), [{ host: "j3", port: 22, user: "me" }]);
  assert.deepEqual(jumps("-J", "j1", "-o", "ProxyJump=j3"), [{ host: "j1", port: 22, user: "me" }]);
  assert.deepEqual(jumps("-o", "ProxyJump=none"), []);
});

test("-W host:port, [v6]:port; a bad spec is a UsageError", () => {
  assert.deepEqual(parseSshArgs(["-W", "db:5432", "h"]).stdioForward, { host: "db", port: 5432 });
  assert.deepEqual(parseSshArgs(["-W[::1]:22", "h"]).stdioForward, { host: "::1", port: 22 });
  for (const bad of ["db", "db:", ":22", "db:port", "db:70000"]) {
    assert.throws(() => parseSshArgs(["-W", bad, "h"]), /Bad stdio forwarding specification/);
  }
});

test("compression: -C or Compression yes offers OpenSSH's zlib@openssh.com,zlib,none; default none first", () => {
  const context = { home: "/home/me", env: {}, terminal: false };
  const resolve = (...argv: string[]) => resolveSshSettings(parseSshArgs(argv), context);
  const preferred = ["zlib@openssh.com", "zlib", "none"];
  assert.equal(resolve("h").algorithms.compression, undefined); // the transport's none,zlib@…,zlib
  assert.deepEqual(resolve("-C", "h").algorithms.compression, preferred);
  assert.deepEqual(resolve("-vC", "h").algorithms.compression, preferred);
  assert.deepEqual(resolve("-o", "Compression=yes", "h").algorithms.compression, preferred);
  assert.equal(resolve("-o", "Compression=no", "h").algorithms.compression, undefined);
  assert.deepEqual(resolve("-C", "-o", "Compression=no", "h").algorithms.compression, preferred);
  assert.throws(() => resolve("-o", "Compression=maybe", "h"), UsageError);
  // from a file, and -C over a file's "no"
  const yes = parseSshConfig("Host h\n  Compression yes\n", { file: "cfg" });
  const no = parseSshConfig("Compression no\n", { file: "cfg" });
  const withFile = (file: typeof yes, ...argv: string[]) =>
    resolveSshSettings(parseSshArgs(argv), { ...context, files: [file] }).algorithms.compression;
  assert.deepEqual(withFile(yes, "h"), preferred);
  assert.equal(withFile(yes, "other"), undefined);
  assert.deepEqual(withFile(no, "-C", "h"), preferred);
  // ssh -G prints it as OpenSSH does, right after batchmode
  const printed = (...argv: string[]) =>
    formatSshConfig(resolveCommandLineConfig(parseSshArgs(argv), { ...context, files: [no] }));
  assert.match(printed("h"), /\nbatchmode no\ncompression no\n/);
  assert.match(printed("-C", "h"), /\ncompression yes\n/);
});

test("the command line as config lines: -l and -p win over user@host, -o over files", () => {
  const a = parseSshArgs(["-l", "bob", "-p", "2", "-o", "Port=3", "alice@h"]);
  assert.deepEqual(a.configLines, ['User "bob"', "Port 2", "Port=3", 'User "alice"']);
  assert.deepEqual([a.user, a.port], ["bob", 2]);
  const d = parseSshArgs(["-D", "[::1]:1080", "-D1081", "-G", "h"]);
  assert.deepEqual(d.dynamicForwards, ["[::1]:1080", "1081"]);
  assert.equal(d.printConfig, true);
  // an unknown -o keyword, unless an earlier -o IgnoreUnknown lists it
  assert.throws(
    () => parseSshArgs(["-o", "UseKeychain=yes", "h"]),
    /command-line: line 0: Bad configuration option: usekeychain/,
  );
  assert.doesNotThrow(() =>
    parseSshArgs(["-o", "IgnoreUnknown=Use*", "-o", "UseKeychain=yes", "h"])
  );
});

test("ssh settings from configuration files: Host blocks, forwardings, jump hosts by name", () => {
  const file = parseSshConfig(
    [
      "Host db",
      "  HostName db.internal",
      "  User dbadmin",
      "  ProxyJump bastion",
      "  DynamicForward 1080",
      "  LocalForward 5432 localhost:5432",
      "Host bastion",
      "  HostName bastion.example.org",
      "  Port 2222",
      "  IdentityFile ~/.ssh/bastion_key",
      "Host *",
      "  ServerAliveInterval 30",
    ].join("\n"),
    { file: "cfg" },
  );
  const s = resolveSshSettings(parseSshArgs(["-p", "2200", "db"]), { ...context, files: [file] });
  assert.deepEqual([s.host, s.port, s.user], ["db.internal", 2200, "dbadmin"]);
  assert.deepEqual(s.jumps, [{ host: "bastion.example.org", port: 2222, user: "me" }]);
  assert.deepEqual(s.jumpConfigs[0].identityFile, ["~/.ssh/bastion_key"]);
  assert.deepEqual(s.dynamicForwards, [{ bindPort: 1080 }]);
  assert.deepEqual(s.localForwards, [{ bindPort: 5432, host: "localhost", hostPort: 5432 }]);
  assert.equal(s.keepaliveInterval, 30_000);
  // a remote SOCKS forward is not something Hush does: said, not ignored
  const remote = parseSshConfig("RemoteForward 9000\n", { file: "cfg" });
  assert.throws(
    () => resolveSshSettings(parseSshArgs(["h"]), { ...context, files: [remote] }),
    /remote dynamic \(SOCKS\) forwarding is not supported/,
  );
});

test("-G's configuration: the flags that override everything are applied", () => {
  const c = resolveCommandLineConfig(parseSshArgs(["-A", "-tt", "-q", "h"]), context);
  assert.deepEqual([c.forwardAgent, c.requestTty, c.logLevel], [true, "force", "QUIET"]);
  const v = resolveCommandLineConfig(parseSshArgs(["-vv", "-T", "h"]), context);
  assert.deepEqual([v.requestTty, v.logLevel], ["no", "DEBUG2"]);
});

test("ssh -c and -m choose the ciphers and MACs, as -o Ciphers= and -o MACs= do", () => {
  const s = resolveSshSettings(
    parseSshArgs([
      "-c",
      "aes256-gcm@openssh.com,aes128-ctr",
      "-mhmac-sha2-512-etm@openssh.com",
      "h",
    ]),
    context,
  );
  assert.deepEqual(s.algorithms.ciphers, ["aes256-gcm@openssh.com", "aes128-ctr"]);
  assert.deepEqual(s.algorithms.macs, ["hmac-sha2-512-etm@openssh.com"]);
  // the first value given wins, as for every option on OpenSSH's command line
  const first = resolveSshSettings(
    parseSshArgs(["-c", "aes128-ctr", "-o", "Ciphers=aes256-ctr", "h"]),
    context,
  );
  assert.deepEqual(first.algorithms.ciphers, ["aes128-ctr"]);
  assert.throws(
    () => resolveSshSettings(parseSshArgs(["-c", "3des-cbc", "h"]), context),
    UsageError,
  );
  assert.throws(() => parseSshArgs(["-c"]), UsageError);
});
