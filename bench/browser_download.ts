/// <reference lib="dom" />
/**
 * Download speed inside a web page: the example page (examples/browser) in headless Chromium,
 * logged in with its own key through the relay (`/relay`) to a throwaway OpenSSH sshd on
 * 127.0.0.1, runs `head -c 67108864 /dev/zero` on a second channel and counts the bytes (its
 * "Download 64 MiB" button). Once per cipher, in a fresh page, `ROUNDS` times each; prints the
 * page's own figure (MiB/s from `performance.now()` in the page) and the best and median.
 *
 * Run: `deno run -A bench/browser_download.ts` (needs chromium and OpenSSH; a plain script
 * rather than `deno bench`, since one iteration is a whole browser session).
 * @module
 */
import { writeFileSync } from "node:fs";
import { freePort, startSshd } from "../tests/helpers/openssh.ts";
import { launchChromium, waitForState } from "../tests/browser/browser_fixture.ts";
import { startExampleServer } from "../examples/browser/serve.ts";

const CIPHERS = (Deno.env.get("BROWSER_BENCH_CIPHERS") ??
  "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr")
  .split(",");
const ROUNDS = Number(Deno.env.get("BROWSER_BENCH_ROUNDS") ?? 3);

/**
 * The same 64 MiB as plain binary WebSocket messages of 64 KiB from a Deno server to a page:
 * what the browser, the loopback and the machine allow before SSH does anything.
 */
async function rawWebSocketRate(): Promise<number> {
  const chunk = new Uint8Array(64 * 1024);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    if (request.headers.get("upgrade") !== "websocket") {
      return new Response("<!doctype html><title>raw</title>", {
        headers: { "content-type": "text/html" },
      });
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = async () => {
      for (let sent = 0; sent < 64 * 1024 * 1024; sent += chunk.length) {
        socket.send(chunk);
        while (socket.bufferedAmount > 1024 * 1024) await new Promise((r) => setTimeout(r, 1));
      }
    };
    return response;
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.addr.port}/`);
    const rate = await page.evaluate(async (url: string) => {
      const ws = new WebSocket(url);
      ws.binaryType = "arraybuffer";
      const started = performance.now();
      let bytes = 0;
      await new Promise<void>((done) =>
        ws.onmessage = (e) => {
          bytes += (e.data as ArrayBuffer).byteLength;
          if (bytes >= 64 * 1024 * 1024) done();
        }
      );
      ws.close();
      return bytes / 1024 / 1024 / ((performance.now() - started) / 1000);
    }, `ws://127.0.0.1:${server.addr.port}/`);
    await page.close();
    return rate;
  } finally {
    await server.shutdown();
  }
}

const sshd = await startSshd();
const port = await freePort();
const example = await startExampleServer({ port, allow: [`127.0.0.1:${sshd.port}`] });
const browser = await launchChromium();
try {
  const first = await browser.newPage();
  await first.goto(example.url);
  await waitForState(first, ["ready"]);
  writeFileSync(
    `${sshd.dir}/authorized_keys`,
    (await first.locator("#public-line").innerText()).trim() + "\n",
  );
  await first.close();
  console.log(`chromium ${browser.context.browser()?.version() ?? ""}, ${ROUNDS} rounds each`);
  console.log(
    `raw WebSocket, no SSH (the ceiling here): ${(await rawWebSocketRate()).toFixed(1)} MiB/s`,
  );
  let asked = false;
  for (const cipher of CIPHERS) {
    const rates: number[] = [];
    let text = "";
    for (let round = 0; round < ROUNDS; round++) {
      const page = await browser.newPage();
      await page.goto(`${example.url}?cipher=${encodeURIComponent(cipher)}`);
      await waitForState(page, ["ready"]);
      await page.fill("#target", `127.0.0.1:${sshd.port}`);
      await page.click("#connect");
      if (!asked) {
        await page.waitForSelector("#host-key-dialog[open]");
        await page.click("#host-key-accept");
        asked = true;
      }
      await waitForState(page, ["connected"]);
      await page.click("#speed");
      const result = page.locator("#speed-result");
      await result.filter({ hasText: /MiB\/s|failed/ }).waitFor({ timeout: 600_000 });
      text = await result.innerText();
      const m = /: ([\d.]+) MiB\/s/.exec(text);
      if (!m) throw new Error(`${cipher}: ${text}`);
      rates.push(Number(m[1]));
      await page.close();
    }
    rates.sort((a, b) => a - b);
    console.log(
      `${cipher.padEnd(32)} best ${Math.max(...rates).toFixed(1)} MiB/s, median ${
        rates[rates.length >> 1].toFixed(1)
      } MiB/s  (last: ${text})`,
    );
  }
} finally {
  await browser.close();
  await example.close();
  await sshd.stop();
}
