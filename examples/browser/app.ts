/// <reference lib="dom" />
/**
 * The example page: an xterm.js terminal on an SSH shell, over a WebSocket to the relay (or to
 * a Hush server that takes WebSocket itself). The page's Ed25519 key and its known_hosts live in
 * IndexedDB; a new host key is shown (fingerprint and randomart) and asked about, a changed one
 * is refused with OpenSSH's warning before anything is sent; resizing the window resizes the
 * remote terminal (`window-change`).
 *
 * The page's state is on `<body data-state>` (`ready`, `connecting`, `connected`, `closed`,
 * `failed`, with `data-attempt` counting connections) and what went wrong in `#status`, for
 * people and for the browser tests alike.
 * @module
 */
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import {
  connect,
  connectWebSocket,
  HostKeyError,
  KnownHosts,
  type Session,
  type SshClient,
  type WebSocketConnection,
} from "@hush/ssh/browser";
import { openDatabase } from "./idb.ts";
import { IndexedDbKnownHosts } from "./known_hosts_idb.ts";
import { type PageKey, pageKey } from "./page_key.ts";

/** Milliseconds allowed for the WebSocket, key exchange and login together (`?timeout=`). */
const CONNECT_TIMEOUT_MS = Number(new URLSearchParams(location.search).get("timeout")) || 20_000;
/** What the speed test downloads. */
const SPEED_TEST_BYTES = 64 * 1024 * 1024;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>("login");
const urlInput = $<HTMLInputElement>("url");
const targetInput = $<HTMLInputElement>("target");
const userInput = $<HTMLInputElement>("user");
const passwordInput = $<HTMLInputElement>("password");
const useKeyInput = $<HTMLInputElement>("use-key");
const connectButton = $<HTMLButtonElement>("connect");
const disconnectButton = $<HTMLButtonElement>("disconnect");
const speedButton = $<HTMLButtonElement>("speed");
const status = $<HTMLDivElement>("status");

type PageState = "loading" | "ready" | "connecting" | "connected" | "closed" | "failed";

function setState(state: PageState): void {
  document.body.dataset.state = state;
  const busy = state === "connecting" || state === "connected";
  connectButton.disabled = busy;
  disconnectButton.disabled = !busy;
  speedButton.disabled = state !== "connected";
}

/** Shows a line (or OpenSSH's several-line warnings) under the form. */
function showStatus(text: string, error = false): void {
  status.className = error ? "error" : "";
  status.replaceChildren();
  const pre = document.createElement("pre");
  pre.textContent = text;
  status.append(pre);
}

// The form's defaults: the relay next to this page, or what the URL's query says.
const query = new URLSearchParams(location.search);
urlInput.value = query.get("url") ??
  `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/relay`;
targetInput.value = query.get("target") ?? "127.0.0.1:22";
userInput.value = query.get("user") ?? "root";

const term = new Terminal({ cursorBlink: true, fontSize: 14, scrollback: 5000 });
const fit = new FitAddon();
term.loadAddon(fit);
term.open($("terminal"));
fit.fit();
addEventListener("resize", () => fit.fit());

const db = await openDatabase();
const knownHosts = new KnownHosts([new IndexedDbKnownHosts(db)]);
let key: PageKey = await pageKey(db);
$("public-line").textContent = key.publicLine;
$("new-key").addEventListener("click", async () => {
  key = await pageKey(db, true);
  $("public-line").textContent = key.publicLine;
});

let client: SshClient | undefined;
let shell: Session | undefined;

/** Asks about a host key never seen: OpenSSH's question, with the key's randomart. */
function askAboutHostKey(info: {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  randomart: string;
  message?: string;
}): Promise<boolean> {
  const dialog = $<HTMLDialogElement>("host-key-dialog");
  const question = info.message ??
    `The authenticity of host '${info.host}' can't be established.\n` +
      `${info.keyType} key fingerprint is ${info.fingerprint}.\n` +
      "Are you sure you want to continue connecting (yes/no/[fingerprint])?";
  const lines = question.split("\n");
  // the randomart goes under the fingerprint, as `ssh -o VisualHostKey=yes` shows it
  const at = lines.findIndex((l) => l.includes("key fingerprint is"));
  lines.splice(at + 1, 0, info.randomart);
  const pre = $("host-key-question");
  pre.textContent = lines.join("\n");
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}

/** The messages of an error and its causes, each once. */
function explain(e: unknown): string {
  const seen: string[] = [];
  for (let c = e; c instanceof Error; c = c.cause) {
    if (!seen.some((s) => s.includes(c!.message))) seen.push((c as Error).message);
  }
  return seen.length ? seen.join("\n  because: ") : String(e);
}

/** Why the WebSocket closed, when it says more than "closed" (a relay's refusal). */
async function closeReason(duplex: WebSocketConnection | undefined): Promise<string | undefined> {
  if (!duplex) return undefined;
  const info = await Promise.race([
    duplex.closed,
    new Promise<undefined>((r) => setTimeout(r, 500)),
  ]);
  if (!info || info.code === 1000) return undefined;
  return info.error?.message ??
    `WebSocket closed with code ${info.code}${info.reason ? `: ${info.reason}` : ""}`;
}

/** Connections tried so far, on `<body data-attempt>` (a test waits for the next one). */
let attempts = 0;

async function connectAndRunShell(): Promise<void> {
  document.body.dataset.attempt = String(++attempts);
  setState("connecting");
  showStatus("Connecting…");
  term.reset();
  const target = targetInput.value.trim();
  const url = new URL(urlInput.value.trim());
  if (target) url.searchParams.set("target", target);
  // The name known_hosts records: the SSH server's, not the relay's.
  const [hostname, port] = target
    ? splitHostPort(target)
    : [url.hostname, Number(url.port || (url.protocol === "wss:" ? 443 : 80))];
  const signal = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
  let duplex: WebSocketConnection | undefined;
  try {
    duplex = await connectWebSocket(url, { signal });
    client = await connect({
      hostname,
      port,
      username: userInput.value.trim(),
      password: passwordInput.value || undefined,
      identities: useKeyInput.checked ? [key.signer] : [],
      knownHosts,
      policy: "ask",
      ask: askAboutHostKey,
      algorithms: query.get("cipher") ? { ciphers: [query.get("cipher")!] } : undefined,
      connectTimeout: CONNECT_TIMEOUT_MS,
      trace: (line) => {
        if (line.startsWith("Warning: Permanently added")) showStatus(line);
      },
      duplex,
    });
    shell = await client.shell({
      pty: { term: "xterm-256color", cols: term.cols, rows: term.rows },
    });
  } catch (e) {
    if (e instanceof HostKeyError) {
      // OpenSSH's own words: the changed-key warning names the offending line
      showStatus(e.message, true);
    } else {
      const why = await closeReason(duplex);
      showStatus(`Connection failed: ${explain(e)}${why ? `\n  WebSocket: ${why}` : ""}`, true);
    }
    // after the message: whoever sees "failed" (a script, a test) finds the reason shown
    setState("failed");
    duplex?.close();
    return;
  }
  setState("connected");
  if (!status.textContent?.startsWith("Warning")) {
    showStatus(`Connected to ${hostname} port ${port} as ${userInput.value}.`);
  }
  const session = shell;
  const writer = session.writable.getWriter();
  const encoder = new TextEncoder();
  const typing = term.onData((data) => writer.write(encoder.encode(data)).catch(() => {}));
  const resizing = term.onResize(({ cols, rows }) => {
    session.windowChange({ cols, rows }).catch(() => {});
  });
  term.focus();
  try {
    await Promise.all([
      session.readable.pipeTo(new WritableStream({ write: (chunk) => term.write(chunk) })),
      session.stderr.pipeTo(new WritableStream({ write: (chunk) => term.write(chunk) })),
    ]);
    const code = await session.exitStatus;
    term.write(`\r\n[shell exited${code === null ? "" : ` with status ${code}`}]\r\n`);
    showStatus("Connection closed.");
  } catch (e) {
    const why = await closeReason(duplex);
    showStatus(`Connection lost: ${explain(e)}${why ? `\n  WebSocket: ${why}` : ""}`, true);
  } finally {
    typing.dispose();
    resizing.dispose();
    await client.close().catch(() => {});
    client = undefined;
    shell = undefined;
    setState("closed");
  }
}

/** `host:port` or `[v6]:port`. */
function splitHostPort(text: string): [string, number] {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  if (!m) throw new TypeError(`Target ${text} is not host:port`);
  return [m[1] ?? m[2], Number(m[3])];
}

/** Downloads 64 MiB on a second channel, counting bytes, and shows the rate. */
async function speedTest(): Promise<void> {
  if (!client) return;
  const result = $("speed-result");
  result.textContent = "downloading…";
  const started = performance.now();
  const session = await client.execStream(`head -c ${SPEED_TEST_BYTES} /dev/zero`);
  let bytes = 0;
  for await (const chunk of session.readable) bytes += chunk.byteLength;
  const seconds = (performance.now() - started) / 1000;
  const mib = bytes / 1024 / 1024;
  const cipher = client.transport.negotiated?.cipherServerToClient ?? "";
  result.textContent = `${mib.toFixed(1)} MiB in ${seconds.toFixed(2)} s: ${
    (mib / seconds).toFixed(1)
  } MiB/s${cipher ? ` (${cipher})` : ""}`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  connectAndRunShell();
});
disconnectButton.addEventListener("click", () => client?.close());
speedButton.addEventListener("click", () => {
  speedTest().catch((e) => ($("speed-result").textContent = `failed: ${explain(e)}`));
});
setState("ready");
