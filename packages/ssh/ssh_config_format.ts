/**
 * A resolved configuration as `ssh -G` prints it: one lowercase keyword and its value per
 * line, in OpenSSH's order and with its spellings (`true`/`false` for the multi-valued
 * options, `none` for an unset time, forwardings as `[host]:port`), for the options Hush acts
 * on.
 * @module
 */
import { formatForward } from "./ssh_config_forward.ts";
import { formatProxyJump } from "./proxy_jump_spec.ts";
import type { SshConfig } from "./ssh_config_resolve.ts";

const yesNo = (v: boolean) => (v ? "yes" : "no");
const trueFalse: Record<string, string> = { yes: "true", no: "false" };

/**
 * Prints a resolved configuration as `ssh -G` does (the options Hush acts on), one
 * `keyword value` per line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSshConfig, parseSshConfig, resolveSshConfig } from "@hush/ssh";
 * const file = parseSshConfig("Host db\n  Port 2222\n  StrictHostKeyChecking no\n", { file: "cfg" });
 * const text = formatSshConfig(resolveSshConfig({ host: "db", files: [file], localUser: "me", home: "/home/me" }));
 * assert.deepEqual(
 *   text.split("\n").slice(0, 4),
 *   ["host db", "user me", "hostname db", "port 2222"],
 * );
 * assert.equal(text.includes("\nstricthostkeychecking false\n"), true);
 * ```
 */
export function formatSshConfig(config: SshConfig): string {
  const out: string[] = [];
  const line = (key: string, value: string | number) => out.push(`${key} ${value}`);
  line("host", config.host);
  line("user", config.user);
  line("hostname", config.hostName);
  line("port", config.port);
  line("batchmode", yesNo(config.batchMode));
  line("compression", yesNo(config.compression));
  line("clearallforwardings", yesNo(config.clearAllForwardings));
  line("exitonforwardfailure", yesNo(config.exitOnForwardFailure));
  line("hashknownhosts", yesNo(config.hashKnownHosts));
  line("identitiesonly", yesNo(config.identitiesOnly));
  line("kbdinteractiveauthentication", yesNo(config.kbdInteractiveAuthentication));
  line("passwordauthentication", yesNo(config.passwordAuthentication));
  line(
    "pubkeyauthentication",
    trueFalse[config.pubkeyAuthentication] ?? config.pubkeyAuthentication,
  );
  line("requesttty", trueFalse[config.requestTty] ?? config.requestTty);
  line(
    "stricthostkeychecking",
    trueFalse[config.strictHostKeyChecking] ?? config.strictHostKeyChecking,
  );
  line("serveralivecountmax", config.serverAliveCountMax);
  line("serveraliveinterval", config.serverAliveInterval);
  line("ciphers", config.ciphers.join(","));
  line("hostkeyalgorithms", config.hostKeyAlgorithms.join(","));
  if (config.identityAgent !== undefined) line("identityagent", config.identityAgent);
  line("kexalgorithms", config.kexAlgorithms.join(","));
  line("loglevel", config.logLevel === "QUIET" ? "SILENT" : config.logLevel);
  line("macs", config.macs.join(","));
  line("pubkeyacceptedalgorithms", config.pubkeyAcceptedAlgorithms.join(","));
  for (const f of config.dynamicForward) {
    line("dynamicforward", formatForward(f, { listenOnly: true }));
  }
  for (const f of config.localForward) line("localforward", formatForward(f));
  for (const f of config.remoteForward) line("remoteforward", formatForward(f));
  for (const f of config.identityFile) line("identityfile", f);
  for (const f of config.certificateFile) line("certificatefile", f);
  line("globalknownhostsfile", config.globalKnownHostsFile.join(" ") || "none");
  line("userknownhostsfile", config.userKnownHostsFile.join(" ") || "none");
  for (const v of config.sendEnv) line("sendenv", v);
  for (const v of config.setEnv) line("setenv", v);
  line("forwardagent", config.forwardAgentSocket ?? yesNo(config.forwardAgent));
  line("connecttimeout", config.connectTimeout ?? "none");
  line("rekeylimit", `${config.rekeyLimit.bytes} ${config.rekeyLimit.seconds}`);
  if (config.proxyJump !== undefined) line("proxyjump", formatProxyJump(config.proxyJump));
  else if (config.proxyCommand !== undefined) line("proxycommand", config.proxyCommand);
  return out.join("\n") + "\n";
}
