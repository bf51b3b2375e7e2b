/**
 * Every keyword OpenSSH 9's `ssh_config` knows (with its aliases), and what Hush does with it:
 * the options it acts on, the ones it reads and leaves alone (X11, control sockets, …), and
 * the ones OpenSSH itself only keeps for old files. A keyword missing here is unknown, which
 * is an error unless `IgnoreUnknown` lists it, as in OpenSSH.
 * @module
 */

/**
 * What Hush does with a keyword: `supported` ones are resolved and acted on; `ignored` ones
 * are OpenSSH options Hush reads without acting on them; `deprecated` and `unsupported` ones
 * OpenSSH itself ignores.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SSH_CONFIG_KEYWORDS } from "./ssh_config_keywords.ts";
 * assert.equal(SSH_CONFIG_KEYWORDS["forwardx11"].status, "ignored");
 * ```
 */
export type SshConfigKeywordStatus = "supported" | "ignored" | "deprecated" | "unsupported";

/** A keyword's spelling in ssh_config(5) and what Hush does with it. */
export interface SshConfigKeyword {
  /** The name as ssh_config(5) spells it; an alias gives the name of the option it sets. */
  name: string;
  /** What Hush does with it. */
  status: SshConfigKeywordStatus;
}

const SUPPORTED = [
  "Host",
  "Match",
  "Include",
  "IgnoreUnknown",
  "HostName",
  "User",
  "Port",
  "IdentityFile",
  "IdentitiesOnly",
  "IdentityAgent",
  "CertificateFile",
  "ProxyJump",
  "ProxyCommand",
  "UserKnownHostsFile",
  "GlobalKnownHostsFile",
  "StrictHostKeyChecking",
  "HashKnownHosts",
  "Ciphers",
  "KexAlgorithms",
  "MACs",
  "HostKeyAlgorithms",
  "PubkeyAcceptedAlgorithms",
  "ServerAliveInterval",
  "ServerAliveCountMax",
  "ConnectTimeout",
  "LocalForward",
  "RemoteForward",
  "DynamicForward",
  "ClearAllForwardings",
  "ExitOnForwardFailure",
  "ForwardAgent",
  "SendEnv",
  "SetEnv",
  "RequestTTY",
  "BatchMode",
  "LogLevel",
  "RekeyLimit",
  "Compression",
  "PasswordAuthentication",
  "KbdInteractiveAuthentication",
  "PubkeyAuthentication",
];

const IGNORED = [
  "AddKeysToAgent",
  "AddressFamily",
  "BindAddress",
  "BindInterface",
  "CanonicalDomains",
  "CanonicalizeFallbackLocal",
  "CanonicalizeHostname",
  "CanonicalizeMaxDots",
  "CanonicalizePermittedCNAMEs",
  "CASignatureAlgorithms",
  "CheckHostIP",
  "ConnectionAttempts",
  "ControlMaster",
  "ControlPath",
  "ControlPersist",
  "EnableEscapeCommandline",
  "EnableSSHKeysign",
  "EscapeChar",
  "FingerprintHash",
  "ForkAfterAuthentication",
  "ForwardX11",
  "ForwardX11Timeout",
  "ForwardX11Trusted",
  "GatewayPorts",
  "GSSAPIAuthentication",
  "GSSAPIClientIdentity",
  "GSSAPIDelegateCredentials",
  "GSSAPIKeyExchange",
  "GSSAPIKexAlgorithms",
  "GSSAPIRenewalForcesRekey",
  "GSSAPIServerIdentity",
  "GSSAPITrustDns",
  "HostbasedAcceptedAlgorithms",
  "HostbasedAuthentication",
  "HostKeyAlias",
  "IPQoS",
  "KbdInteractiveDevices",
  "KnownHostsCommand",
  "LocalCommand",
  "LogVerbose",
  "NoHostAuthenticationForLocalhost",
  "NumberOfPasswordPrompts",
  "PermitLocalCommand",
  "PermitRemoteOpen",
  "PKCS11Provider",
  "PreferredAuthentications",
  "ProxyUseFdpass",
  "RemoteCommand",
  "RequiredRSASize",
  "RevokedHostKeys",
  "SecurityKeyProvider",
  "SessionType",
  "StdinNull",
  "StreamLocalBindMask",
  "StreamLocalBindUnlink",
  "SyslogFacility",
  "TCPKeepAlive",
  "Tunnel",
  "TunnelDevice",
  "UpdateHostKeys",
  "VerifyHostKeyDNS",
  "VisualHostKey",
  "XAuthLocation",
];

/** Old spellings that set another option: alias → the option's name. */
const ALIASES: Record<string, string> = {
  challengeresponseauthentication: "KbdInteractiveAuthentication",
  skeyauthentication: "KbdInteractiveAuthentication",
  tisauthentication: "KbdInteractiveAuthentication",
  dsaauthentication: "PubkeyAuthentication",
  identityfile2: "IdentityFile",
  pubkeyacceptedkeytypes: "PubkeyAcceptedAlgorithms",
  hostbasedkeytypes: "HostbasedAcceptedAlgorithms",
  keepalive: "TCPKeepAlive",
  smartcarddevice: "PKCS11Provider",
  // Debian's names for ServerAliveInterval
  protocolkeepalives: "ServerAliveInterval",
  setuptimeout: "ServerAliveInterval",
};

/** Keywords OpenSSH still reads only to say they are gone. */
const DEPRECATED = [
  "Protocol",
  "Cipher",
  "FallBackToRsh",
  "GlobalKnownHostsFile2",
  "RhostsAuthentication",
  "UseBlacklistedKeys",
  "UsePrivilegedPort",
  "UseRoaming",
  "UserKnownHostsFile2",
  "UseRsh",
];

/** Keywords OpenSSH rejects softly: an error message, but not a bad line. */
const UNSUPPORTED = [
  "AFSTokenPassing",
  "KerberosAuthentication",
  "KerberosTGTPassing",
  "RSAAuthentication",
  "RhostsRSAAuthentication",
  "CompressionLevel",
];

function table(): Readonly<Record<string, SshConfigKeyword>> {
  const t: Record<string, SshConfigKeyword> = {};
  const add = (names: string[], status: SshConfigKeywordStatus) => {
    for (const name of names) t[name.toLowerCase()] = { name, status };
  };
  add(SUPPORTED, "supported");
  add(IGNORED, "ignored");
  add(DEPRECATED, "deprecated");
  add(UNSUPPORTED, "unsupported");
  for (const [alias, name] of Object.entries(ALIASES)) t[alias] = { ...t[name.toLowerCase()] };
  return Object.freeze(t);
}

/**
 * The keywords of ssh_config(5), by lowercased name (keywords are case-insensitive).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SSH_CONFIG_KEYWORDS } from "./ssh_config_keywords.ts";
 * assert.deepEqual(SSH_CONFIG_KEYWORDS["hostname"], { name: "HostName", status: "supported" });
 * assert.equal(SSH_CONFIG_KEYWORDS["pubkeyacceptedkeytypes"].name, "PubkeyAcceptedAlgorithms");
 * assert.equal(SSH_CONFIG_KEYWORDS["nosuchoption"], undefined);
 * ```
 */
export const SSH_CONFIG_KEYWORDS: Readonly<Record<string, SshConfigKeyword>> = table();

/**
 * The keyword a lowercased name stands for, or `undefined` when OpenSSH does not know it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lookupKeyword } from "./ssh_config_keywords.ts";
 * assert.equal(lookupKeyword("port")?.name, "Port");
 * assert.equal(lookupKeyword("toString"), undefined);
 * ```
 */
export function lookupKeyword(lowercased: string): SshConfigKeyword | undefined {
  return Object.hasOwn(SSH_CONFIG_KEYWORDS, lowercased)
    ? SSH_CONFIG_KEYWORDS[lowercased]
    : undefined;
}
