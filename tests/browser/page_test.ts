/// <reference lib="dom" />
/**
 * The example page (examples/browser) in a real headless Chromium: the page's own Ed25519 key
 * and known_hosts in IndexedDB, an xterm.js terminal on an SSH shell over WebSocket, through the
 * relay to OpenSSH's sshd and to the Hush sshd, and straight to the Hush sshd taking WebSocket
 * upgrades itself. Then what must fail: a changed host key, a relay target off the allow-list,
 * and bad input (text and oversized messages, a socket closed mid-packet, targets that refuse,
 * cut off or never answer), each with a clear error in the page and in the relay's log while
 * the relay keeps serving.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { generateKey, parsePublicKeyLine, randomart } from "@hush/keys";
import { hashPassword } from "@hush/ssh";
import type { Page } from "playwright-core";
import { freePort, requireOpenSsh, startSshd } from "../helpers/openssh.ts";
import { startHushSshd, tempDir } from "../interop/server_fixture.ts";
import { startExampleServer } from "../../examples/browser/serve.ts";
import {
  differingPixels,
  launchChromium,
  requireChromium,
  statusText,
  waitForState,
  waitForTerminal,
} from "./browser_fixture.ts";

/** A TCP server on 127.0.0.1 with a handler per connection. */
async function tcpServer(onSocket: (s: Socket) => void): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => {
    s.on("error", () => {});
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as { port: number }).port, server };
}

/** A WebSocket server that misbehaves on purpose, by path: /text, /big, /half. */
function badWebSocketServer(): { port: number; close: () => Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    const path = new URL(request.url).pathname;
    socket.onopen = () => {
      if (path === "/text") socket.send("SSH-2.0-OpenSSH_9.9\r\n");
      if (path === "/big") socket.send(new Uint8Array(2 * 1024 * 1024));
      if (path === "/half") {
        // a version line, then 10 bytes of a packet that says it is 1020 long, then the end
        socket.send(new TextEncoder().encode("SSH-2.0-Half_1.0\r\n"));
        socket.send(new Uint8Array([0, 0, 3, 252, 4, 20, 1, 2, 3, 4]));
        setTimeout(() => socket.close(1000), 50);
      }
    };
    return response;
  });
  return { port: server.addr.port, close: () => server.shutdown() };
}

test("browser: the example page in headless Chromium, through the relay and straight to Hush", {
  timeout: 600_000,
}, async (t) => {
  const noChromium = requireChromium();
  if (noChromium) return t.skip(noChromium);
  const noSsh = requireOpenSsh("sshd", "ssh-keygen");
  if (noSsh) return t.skip(noSsh);

  const { dir, remove } = tempDir("hush-browser-");
  const cleanups: (() => unknown)[] = [remove];
  try {
    // OpenSSH's sshd: authorized_keys gets the page's key once the page has made it.
    const sshd = await startSshd();
    cleanups.unshift(() => sshd.stop());
    const sshdKeys = join(sshd.dir, "authorized_keys");
    // The Hush sshd: TCP (behind the relay) and WebSocket (for the page directly).
    const pagePort = await freePort();
    const pageOrigin = `http://127.0.0.1:${pagePort}`;
    const hushKeys = join(dir, "hush_authorized_keys");
    writeFileSync(hushKeys, "");
    const passwords = join(dir, "passwords");
    writeFileSync(passwords, `browser:${await hashPassword("correct horse", { N: 1024 })}\n`);
    const hush = await startHushSshd([
      "-o",
      "WebSocketListen=127.0.0.1:0",
      "-o",
      `WebSocketOrigins=${pageOrigin}`,
      "-o",
      `AuthorizedKeysFile=${hushKeys}`,
      "-o",
      "PasswordAuthentication=yes",
      "-o",
      `PasswordFile=${passwords}`,
    ], { HUSH_STATE_DIR: join(dir, "state"), HOME: dir }); // root's own profile is slow
    cleanups.unshift(() => hush.stop());
    const hushWs = /websocket on (ws:\/\/\S+)\n/.exec(hush.stdout())![1];
    // Targets that misbehave: nothing listening, half a packet then EOF, silence.
    const closed = await tcpServer(() => {});
    await new Promise((r) => closed.server.close(r));
    const half = await tcpServer((s) => {
      s.write("SSH-2.0-Half_1.0\r\n");
      s.end(new Uint8Array([0, 0, 3, 252, 4, 20, 1, 2, 3, 4]));
    });
    const silentSockets: Socket[] = [];
    const silent = await tcpServer((s) => silentSockets.push(s));
    cleanups.unshift(() => {
      for (const s of silentSockets) s.destroy();
      half.server.close();
      silent.server.close();
    });
    const bad = badWebSocketServer();
    cleanups.unshift(() => bad.close());

    const relayLog: string[] = [];
    const example = await startExampleServer({
      port: pagePort,
      allow: [
        `127.0.0.1:${sshd.port}`,
        `127.0.0.1:${hush.port}`,
        `127.0.0.1:${closed.port}`,
        `127.0.0.1:${half.port}`,
        `127.0.0.1:${silent.port}`,
      ],
      log: (line) => relayLog.push(line),
    });
    cleanups.unshift(() => example.close());
    const relayUrl = `ws://127.0.0.1:${pagePort}/relay`;
    const logged = async (pattern: RegExp) => {
      for (let i = 0; i < 200 && !relayLog.some((l) => pattern.test(l)); i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      const line = relayLog.find((l) => pattern.test(l));
      assert.ok(line, `the relay never logged ${pattern}:\n${relayLog.join("\n")}`);
      return line;
    };

    const browser = await launchChromium();
    cleanups.unshift(() => browser.close());
    const page = await browser.newPage();
    const failWithConsole = (e: unknown) => {
      throw new Error(
        `${e instanceof Error ? e.message : e}\npage console:\n${browser.console.join("\n")}`,
      );
    };

    /** Fills the form and clicks Connect. */
    const connectWith = async (
      p: Page,
      o: { url?: string; target: string; user: string; password?: string; useKey: boolean },
    ) => {
      await p.fill("#url", o.url ?? relayUrl);
      await p.fill("#target", o.target);
      await p.fill("#user", o.user);
      await p.fill("#password", o.password ?? "");
      await p.setChecked("#use-key", o.useKey);
      const attempt = await p.evaluate(() => document.body.dataset.attempt ?? "0");
      await p.click("#connect");
      await p.waitForFunction((a) => document.body.dataset.attempt !== a, attempt);
    };
    /** Answers the host key question, returning what it asked. */
    const acceptHostKey = async (p: Page) => {
      await p.waitForSelector("#host-key-dialog[open]", { timeout: 30_000 });
      const question = await p.locator("#host-key-question").innerText();
      await p.click("#host-key-accept");
      return question;
    };
    /** Types a line into the terminal. */
    const typeLine = async (p: Page, line: string) => {
      await p.locator("#terminal").click();
      await p.keyboard.type(line);
      await p.keyboard.press("Enter");
    };

    let publicLine = "";
    await t.test("first visit: the page makes an Ed25519 key, non-extractable, kept in IndexedDB", async () => {
      await page.goto(example.url);
      await waitForState(page, ["ready"]).catch(failWithConsole);
      publicLine = (await page.locator("#public-line").innerText()).trim();
      assert.match(
        publicLine,
        new RegExp(
          `^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\\S+ hush-browser@127\\.0\\.0\\.1:${pagePort}$`,
        ),
      );
      const stored = await page.evaluate(async () => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const r = indexedDB.open("hush-browser-example");
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        const pair = await new Promise<CryptoKeyPair>((resolve) => {
          const r = db.transaction("records").objectStore("records").get("page_key");
          r.onsuccess = () => resolve(r.result);
        });
        const exported = await crypto.subtle.exportKey("pkcs8", pair.privateKey).then(
          () => "exported",
          (e) => `refused: ${e.name}`,
        );
        return {
          extractable: pair.privateKey.extractable,
          type: pair.privateKey.algorithm.name,
          exported,
        };
      });
      assert.deepEqual(stored, {
        extractable: false,
        type: "Ed25519",
        exported: "refused: InvalidAccessError",
      });
      writeFileSync(sshdKeys, `${publicLine}\n`);
      writeFileSync(hushKeys, `${publicLine}\n`);
    });

    await t.test("relay → OpenSSH sshd: the new host key is shown with its randomart and accepted; key login; echo; an interactive shell; resize", async () => {
      await connectWith(page, { target: `127.0.0.1:${sshd.port}`, user: "root", useKey: true });
      const question = await acceptHostKey(page);
      const shown = Object.values(sshd.hostKeys).map((l) => parsePublicKeyLine(l).key)
        .find((k) => question.includes(k.fingerprint()));
      assert.ok(shown, `the question names one of the server's keys:\n${question}`);
      assert.ok(
        question.startsWith(
          `The authenticity of host '[127.0.0.1]:${sshd.port}' can't be established.\n`,
        ),
        question,
      );
      assert.ok(
        question.includes(`key fingerprint is ${shown.fingerprint()}.\n${randomart(shown)}\n`),
        question,
      );
      assert.ok(
        question.endsWith("Are you sure you want to continue connecting (yes/no/[fingerprint])?"),
        question,
      );
      await waitForState(page, ["connected"]);
      assert.match(
        await statusText(page),
        new RegExp(
          `Warning: Permanently added '\\[127\\.0\\.0\\.1\\]:${sshd.port}' \\(\\w+\\) to the list of known hosts\\.`,
        ),
      );
      await typeLine(page, "echo hello-$((6*7))");
      await waitForTerminal(page, /^hello-42$/m);
      await typeLine(page, "read -p 'name? ' n; echo \"hi $n from $(whoami)\"");
      await waitForTerminal(page, /^name\?$/m);
      await typeLine(page, "browser");
      await waitForTerminal(page, /^hi browser from root$/m);
      await typeLine(page, "echo size=$(stty size)");
      const before = /size=(\d+) (\d+)/.exec(await waitForTerminal(page, /size=\d+ \d+/))!;
      await page.setViewportSize({ width: 640, height: 560 });
      await typeLine(page, "echo resized=$(stty size)");
      const after = /resized=(\d+) (\d+)/.exec(await waitForTerminal(page, /resized=\d+ \d+/))!;
      assert.ok(
        Number(after[2]) < Number(before[2]),
        `cols ${before[2]} → ${after[2]} after resize`,
      );
      assert.ok(
        Number(after[1]) < Number(before[1]),
        `rows ${before[1]} → ${after[1]} after resize`,
      );
      const png = await page.locator("#terminal").screenshot();
      const path = join(tmpdir(), "hush-browser-terminal.png");
      writeFileSync(path, png);
      const differing = await differingPixels(page, png);
      assert.ok(
        differing > 300,
        `the terminal screenshot (${path}) is not blank: ${differing} pixels`,
      );
      const whole = join(tmpdir(), "hush-browser-page.png");
      await page.screenshot({ path: whole });
      t.diagnostic(
        `terminal screenshot: ${path} (${png.length} bytes, ${differing} non-background pixels); the page: ${whole}`,
      );
    });

    await t.test("relay → OpenSSH sshd: 64 MiB downloaded inside the page", async () => {
      await page.click("#speed");
      const result = page.locator("#speed-result");
      await result.filter({ hasText: /MiB\/s|failed/ }).waitFor({ timeout: 240_000 });
      const text = await result.innerText();
      assert.match(text, /^64\.0 MiB in [\d.]+ s: [\d.]+ MiB\/s/);
      t.diagnostic(`in-page download: ${text}`);
      await typeLine(page, "exit");
      await waitForTerminal(page, /\[shell exited with status 0\]/);
      await waitForState(page, ["closed"]);
      await logged(
        new RegExp(`^relay: #1 from 127\\.0\\.0\\.1:\\d+ to 127\\.0\\.0\\.1:${sshd.port} ended`),
      );
    });

    await t.test("second visit: same key, the host key is known (no question)", async () => {
      const again = await browser.newPage();
      await again.goto(example.url);
      await waitForState(again, ["ready"]);
      assert.equal((await again.locator("#public-line").innerText()).trim(), publicLine);
      await connectWith(again, { target: `127.0.0.1:${sshd.port}`, user: "root", useKey: true });
      await waitForState(again, ["connected"]);
      assert.equal(await again.locator("#host-key-dialog[open]").count(), 0);
      assert.equal(await statusText(again), `Connected to 127.0.0.1 port ${sshd.port} as root.`);
      await typeLine(again, "echo second-visit");
      await waitForTerminal(again, /^second-visit$/m);
      await typeLine(again, "exit");
      await waitForState(again, ["closed"]);
      await again.close();
    });

    await t.test("straight to the Hush sshd over WebSocket: password login", async () => {
      await connectWith(page, {
        url: hushWs,
        target: "",
        user: "browser",
        password: "correct horse",
        useKey: false,
      });
      const question = await acceptHostKey(page);
      assert.ok(
        question.startsWith(
          `The authenticity of host '[127.0.0.1]:${new URL(hushWs).port}' can't be established.`,
        ),
        question,
      );
      await waitForState(page, ["connected"]);
      await typeLine(page, "echo hush-direct-$((2+3))");
      await waitForTerminal(page, /^hush-direct-5$/m);
      await typeLine(page, "exit");
      await waitForState(page, ["closed"]);
      assert.match(hush.log(), /Accepted password for browser from 127\.0\.0\.1 port \d+ ssh2/);
    });

    await t.test("relay → Hush sshd: key login", async () => {
      await connectWith(page, { target: `127.0.0.1:${hush.port}`, user: "root", useKey: true });
      await acceptHostKey(page);
      await waitForState(page, ["connected"]);
      await typeLine(page, "echo hush-relayed");
      await waitForTerminal(page, /^hush-relayed$/m);
      await typeLine(page, "exit");
      await waitForState(page, ["closed"]);
      assert.match(hush.log(), /Accepted publickey for root from 127\.0\.0\.1 port \d+ ssh2/);
    });

    await t.test("a changed host key is refused with OpenSSH's warning, before anything is sent", async () => {
      // The page's known_hosts now says another key belongs to the OpenSSH server's name.
      const impostor = (await generateKey("ssh-ed25519")).publicKey.toString();
      await page.evaluate(async ({ port, line }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const r = indexedDB.open("hush-browser-example");
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction("records", "readwrite");
          const store = tx.objectStore("records");
          const read = store.get("known_hosts");
          read.onsuccess = () => {
            const text = (read.result as string).split("\n")
              .filter((l) => !l.startsWith(`[127.0.0.1]:${port} `)).join("\n");
            store.put(`[127.0.0.1]:${port} ${line}\n${text}`, "known_hosts");
          };
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      }, { port: sshd.port, line: impostor });
      const logBefore = sshd.log().length;
      await connectWith(page, {
        target: `127.0.0.1:${sshd.port}`,
        user: "root",
        password: "never-sent",
        useKey: true,
      });
      await waitForState(page, ["failed"]);
      const status = await statusText(page);
      assert.equal(await page.locator("#host-key-dialog[open]").count(), 0);
      for (
        const line of [
          "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
          "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @",
          "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!",
          "Offending ED25519 key in IndexedDB known_hosts:1",
          `Host key for [127.0.0.1]:${sshd.port} has changed and you have requested strict checking.`,
          "Host key verification failed.",
        ]
      ) assert.ok(status.includes(line), `the warning has "${line}":\n${status}`);
      await new Promise((r) => setTimeout(r, 300));
      const sshdSaw = sshd.log().slice(logBefore);
      assert.doesNotMatch(sshdSaw, /Accepted|Failed|Postponed|userauth|invalid user/i, sshdSaw);
    });

    await t.test("a relay target off the allow-list is refused, in the page and in the relay's log", async () => {
      await connectWith(page, { target: "127.0.0.1:22", user: "root", useKey: true });
      await waitForState(page, ["failed"]);
      assert.match(
        await statusText(page),
        /Relay refused: 127\.0\.0\.1:22 is not on the relay's allow-list/,
      );
      await logged(
        /^relay: refused #\d+ from 127\.0\.0\.1:\d+: target 127\.0\.0\.1:22 is not on the allow-list$/,
      );
    });

    await t.test("bad input from a server: a text message, an oversized one, a socket closed mid-packet", async () => {
      const direct = async (path: string) => {
        await connectWith(page, {
          url: `ws://127.0.0.1:${bad.port}${path}`,
          target: "",
          user: "root",
          useKey: true,
        });
        await waitForState(page, ["failed"]);
        return await statusText(page);
      };
      assert.match(
        await direct("/text"),
        /The peer sent a text message: SSH over WebSocket takes binary messages only/,
      );
      assert.match(
        await direct("/big"),
        /The peer sent a 2097152-byte message, over the limit of 1048576 bytes/,
      );
      assert.match(await direct("/half"), /Connection failed: .*(closed|Connection)/i);
    });

    await t.test("bad input to the relay: a text message and an oversized one end only that connection", async () => {
      const send = (what: "text" | "big") =>
        page.evaluate(async ({ url, what }) => {
          const ws = new WebSocket(url);
          await new Promise((r) => ws.addEventListener("open", r, { once: true }));
          ws.send(what === "text" ? "SSH-2.0-Text\r\n" : new Uint8Array(1024 * 1024 + 1));
          const e = await new Promise<CloseEvent>((r) =>
            ws.addEventListener("close", (e) => r(e), { once: true })
          );
          return [e.code, e.reason];
        }, { url: `${relayUrl}?target=127.0.0.1:${sshd.port}`, what });
      assert.deepEqual(await send("text"), [1003, "Binary messages only"]);
      await logged(
        /ended \(page: The peer sent a text message: SSH over WebSocket takes binary messages only\)/,
      );
      assert.deepEqual(await send("big"), [1009, "Message too big"]);
      await logged(
        /ended \(page: The peer sent a 1048577-byte message, over the limit of 1048576 bytes\)/,
      );
    });

    await t.test("relay targets that refuse, cut off mid-packet or never answer: a clear error each", async () => {
      await connectWith(page, { target: `127.0.0.1:${closed.port}`, user: "root", useKey: true });
      await waitForState(page, ["failed"]);
      assert.match(
        await statusText(page),
        new RegExp(`Relay cannot reach 127\\.0\\.0\\.1:${closed.port}: .*refused`, "i"),
      );
      await logged(new RegExp(`cannot reach 127\\.0\\.0\\.1:${closed.port}: .*refused`, "i"));

      await connectWith(page, { target: `127.0.0.1:${half.port}`, user: "root", useKey: true });
      await waitForState(page, ["failed"]);
      assert.match(await statusText(page), /Connection failed: /);
      await logged(
        new RegExp(
          `to 127\\.0\\.0\\.1:${half.port} ended \\(target closed\\): \\d+ bytes up, 28 bytes down$`,
        ),
      );

      await page.goto(`${example.url}?timeout=1500`);
      await waitForState(page, ["ready"]);
      await connectWith(page, { target: `127.0.0.1:${silent.port}`, user: "root", useKey: true });
      await waitForState(page, ["failed"]);
      assert.match(await statusText(page), /timed out/);
      await logged(new RegExp(`to 127\\.0\\.0\\.1:${silent.port} ended \\(page closed\\)`));
    });

    await t.test("after all that the relay still serves", async () => {
      await page.goto(example.url);
      await waitForState(page, ["ready"]);
      await connectWith(page, { target: `127.0.0.1:${sshd.port}`, user: "root", useKey: true });
      // the test above planted another key for this name: this is the changed-key refusal again
      await waitForState(page, ["failed"]);
      assert.match(await statusText(page), /REMOTE HOST IDENTIFICATION HAS CHANGED/);
      await connectWith(page, { target: `127.0.0.1:${hush.port}`, user: "root", useKey: true });
      await waitForState(page, ["connected"]);
      await typeLine(page, "echo still-serving");
      await waitForTerminal(page, /^still-serving$/m);
      await typeLine(page, "exit");
      await waitForState(page, ["closed"]);
      const errors = browser.console.filter((l) => l.startsWith("pageerror"));
      assert.deepEqual(errors, [], "no uncaught errors in the page");
    });
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
});
