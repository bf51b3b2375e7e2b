import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSshConfig, type SshConfigOptionEntry } from "./ssh_config_parse.ts";
import { SshConfigError } from "./ssh_config_error.ts";
import { splitArguments, splitKeyword, splitMatchWords } from "./ssh_config_words.ts";
import { parseForward } from "./ssh_config_forward.ts";
import { formatProxyJump, parseProxyJump } from "./proxy_jump_spec.ts";
import { parseConfigSize, parseConfigTime } from "./ssh_config_values.ts";

/** The message of the SshConfigError that parsing `text` throws. */
function complaint(text: string, file = "cfg"): string {
  try {
    parseSshConfig(text, { file });
  } catch (e) {
    assert.ok(e instanceof SshConfigError, String(e));
    return e.message;
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

function options(text: string) {
  return parseSshConfig(text, { file: "cfg" }).entries.filter((e) =>
    e.kind === "option"
  ) as SshConfigOptionEntry[];
}

test("keywords: case-insensitive, `=` or whitespace, comments, blank lines, CRLF", () => {
  const f = parseSshConfig(
    "# comment\n\n  PORT=22\nuser = me\r\nHostName\texample.org # trailing\nciphers\t=\taes128-ctr\n",
    { file: "cfg" },
  );
  assert.deepEqual(
    f.entries.map((e) => e.kind === "option" && [e.keyword, e.info?.name, e.value, e.where.line]),
    [
      ["port", "Port", 22, 3],
      ["user", "User", "me", 4],
      ["hostname", "HostName", "example.org", 5],
      ["ciphers", "Ciphers", "aes128-ctr", 6],
    ],
  );
});

test("words: quotes and escapes as argv_split, Match criteria as strdelim", () => {
  assert.deepEqual(splitKeyword("Key=value"), { keyword: "Key", rest: "value" });
  assert.deepEqual(splitKeyword("Key = = value").rest, "= value");
  assert.deepEqual(splitArguments(`'a b' "c\\"d" e\\ f g#h #rest`), ["a b", 'c"d', "e f", "g#h"]);
  assert.deepEqual(splitArguments(`a"b c"d`), ["ab cd"]);
  assert.equal(splitArguments(`'open`), undefined);
  assert.deepEqual(splitMatchWords(`exec "a b" host=x`), ["exec", "a b", "host", "x"]);
  assert.deepEqual(splitMatchWords(`exec 'a b'`), ["exec", "'a", "b'"]);
});

test("Host and Match lines; unknown keywords kept for the resolver", () => {
  const f = parseSshConfig(
    "Host a !b *.c\nMatch !host x,y user root final\nFrobnicate yes\nForwardX11 yes\n",
    { file: "cfg" },
  );
  const [host, match, unknown, ignored] = f.entries;
  assert.deepEqual(host.kind === "host" && host.patterns, ["a", "!b", "*.c"]);
  assert.deepEqual(match.kind === "match" && match.criteria, [
    { attribute: "host", negate: true, argument: "x,y" },
    { attribute: "user", negate: false, argument: "root" },
    { attribute: "final", negate: false, argument: "" },
  ]);
  assert.equal(unknown.kind === "option" && unknown.info, undefined);
  assert.equal(ignored.kind === "option" && ignored.info?.status, "ignored");
});

test("errors name file and line, in OpenSSH's words", () => {
  assert.equal(complaint("\nPort"), `cfg line 2: no argument after keyword "port"`);
  assert.equal(complaint("Port 0"), "cfg line 1: Bad port '0'.");
  assert.equal(complaint("Port 22 23"), "cfg line 1: keyword port extra arguments at end of line");
  assert.equal(complaint(`Port "22`), "cfg line 1: invalid quotes");
  assert.equal(complaint("BatchMode maybe"), `cfg line 1: unsupported option "maybe".`);
  assert.equal(complaint("ConnectTimeout 5x"), "cfg line 1: invalid time value.");
  assert.equal(complaint("RekeyLimit 1"), "cfg line 1: RekeyLimit too small");
  assert.equal(complaint("RekeyLimit lots"), "cfg line 1: Bad number 'lots': Invalid argument");
  assert.equal(complaint("LocalForward 8080"), "cfg line 1: Missing target argument.");
  assert.equal(complaint("LocalForward 8080 nohost"), "cfg line 1: Bad forwarding specification.");
  assert.equal(complaint("DynamicForward a:b:c"), "cfg line 1: Bad forwarding specification.");
  assert.equal(complaint("SetEnv FOO"), "cfg line 1: Invalid SetEnv.");
  assert.equal(complaint("SendEnv A=1"), "cfg line 1: Invalid environment name.");
  assert.equal(complaint("LogLevel loud"), "cfg line 1: unsupported log level 'loud'");
  assert.equal(complaint("ProxyJump a@"), `cfg line 1: Invalid ProxyJump "a@"`);
  assert.equal(complaint("Ciphers aes*"), "cfg line 1: Bad SSH2 cipher spec 'aes*'.");
  assert.equal(complaint("MACs bogus"), "cfg line 1: Bad SSH2 MAC spec 'bogus'.");
  assert.equal(complaint("KexAlgorithms +bogus"), "cfg line 1: Bad SSH2 KexAlgorithms '+bogus'.");
  assert.equal(complaint("HostKeyAlgorithms nope*"), "cfg line 1: Bad key types 'nope*'.");
  assert.equal(
    complaint("UserKnownHostsFile a none"),
    `cfg line 1: keyword userknownhostsfile "none" argument must appear alone.`,
  );
  assert.equal(complaint("IdentityAgent $BAD/x"), "cfg line 1: Invalid environment name $BAD/x.");
  assert.equal(complaint("Match foo bar"), "cfg line 1: Unsupported Match attribute foo");
  assert.equal(complaint("Match host"), "cfg line 1: Missing Match criteria for host");
  assert.equal(
    complaint("Match all host x"),
    "cfg line 1: 'all' cannot be combined with other Match attributes",
  );
  assert.equal(complaint(`Host ""`), "cfg line 1: keyword host empty argument");
  // a value is checked whether its block applies or not
  assert.equal(complaint("Host nomatch\n  Port abc"), "cfg line 2: Bad port 'abc'.");
});

test("values that OpenSSH accepts", () => {
  const [a, b, c, d, e, f, g, h] = options([
    "StrictHostKeyChecking off",
    "RequestTTY true",
    "ServerAliveInterval 1h30m",
    "RekeyLimit 1.5G 1h",
    "ForwardAgent $SSH_AUTH_SOCK",
    `SetEnv A=1 "B=two words" A=3`,
    "PubkeyAuthentication host-bound",
    "KexAlgorithms +diffie-hellman-group1-sha1",
  ].join("\n"));
  assert.equal(a.value, "no");
  assert.equal(b.value, "yes");
  assert.equal(c.value, 5400);
  assert.deepEqual(d.value, { bytes: Math.floor(1.5 * 2 ** 30), seconds: 3600 });
  assert.deepEqual(e.value, { on: true, path: "$SSH_AUTH_SOCK" });
  assert.deepEqual(f.value, ["A=1", "B=two words"]);
  assert.equal(g.value, "host-bound");
  // a name OpenSSH knows is accepted though Hush leaves it out when resolving
  assert.equal(h.value, "+diffie-hellman-group1-sha1");
  assert.equal(parseConfigTime("0"), 0);
  assert.equal(parseConfigTime("5 "), undefined);
  assert.equal(parseConfigTime("-1"), undefined);
  assert.equal(parseConfigSize("default"), undefined);
});

test("the command line: line 0, no Host, Match or Include", () => {
  const f = parseSshConfig("Port 2222\nUser=me", { file: "command-line", commandLine: true });
  assert.deepEqual(f.entries.map((e) => e.where), [
    { file: "command-line", line: 0 },
    { file: "command-line", line: 0 },
  ]);
  assert.throws(
    () => parseSshConfig("Host x", { file: "command-line", commandLine: true }),
    /command-line line 0: Host directive not supported as a command-line option/,
  );
  assert.throws(
    () => parseSshConfig("Include x", { file: "command-line", commandLine: true }),
    /Include directive not supported/,
  );
});

test("forwarding specs as parse_forward reads them", () => {
  assert.deepEqual(parseForward("8080:localhost:80", {}), {
    listenPort: 8080,
    connectHost: "localhost",
    connectPort: 80,
  });
  assert.deepEqual(parseForward("[::1]:8081:[::2]:81", {}), {
    listenHost: "::1",
    listenPort: 8081,
    connectHost: "::2",
    connectPort: 81,
  });
  assert.deepEqual(parseForward("*:1082", { dynamic: true }), {
    listenHost: "*",
    listenPort: 1082,
    connectHost: "socks",
    connectPort: 0,
  });
  assert.deepEqual(parseForward("0:h:22", { remote: true })?.listenPort, 0);
  assert.equal(parseForward("0:h:22", {}), undefined, "a local forward cannot listen on port 0");
  assert.equal(parseForward("1080", { dynamic: true })?.connectHost, "socks");
  assert.equal(parseForward("a:b:c", { dynamic: true }), undefined);
  assert.equal(parseForward("8080:h:0", {}), undefined);
  assert.equal(parseForward("8080:h:70000", {}), undefined);
  assert.equal(parseForward("1:2:3:4:5", {}), undefined);
  assert.deepEqual(parseForward("/tmp/sock:h:80", {}), {
    listenPath: "/tmp/sock",
    connectHost: "h",
    connectPort: 80,
  });
  assert.equal(parseForward("8080:h\\:x:80", {})?.connectHost, "h:x");
});

test("ProxyJump specs as parse_jump reads them, and as ssh -G prints them", () => {
  assert.deepEqual(parseProxyJump("alice@bastion:2222,ssh://bob@inner:22,[::1]:2200"), [
    { host: "bastion", user: "alice", port: 2222 },
    { host: "inner", user: "bob", port: 22 },
    { host: "::1", port: 2200 },
  ]);
  assert.deepEqual(parseProxyJump("ssh://a%40b;x=1@h"), [{ host: "h", user: "a@b" }]);
  assert.deepEqual(parseProxyJump("NONE"), []);
  for (const bad of ["", "a:b", "@host", "host:0", "host:70000", "a,,b", "ssh://[::1]", "::1"]) {
    assert.equal(parseProxyJump(bad), undefined, bad);
  }
  assert.equal(formatProxyJump("10.0.0.1"), "[10.0.0.1]");
  assert.equal(formatProxyJump("ssh://u@h:23,[::1]:22"), "ssh://u@h:23,[::1]:22");
  assert.equal(formatProxyJump("j1,ssh://me@j2"), "j1,me@j2");
});
