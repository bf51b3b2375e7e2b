// One full key exchange per method, both sides' work (ephemeral keys, K, H, the Ed25519 host
// key's signature and its verification, every message encoded and decoded):
//   deno bench -A bench/kex_bench.ts
// Each method is compared with curve25519-sha256 (the group's baseline). The post-quantum KEMs
// alone: packages/kex/sntrup761_bench.ts.
import {
  createClientExchange,
  createServerExchange,
  KEX_METHODS,
  type KexExchange,
} from "@hush/kex";
import { generateKey } from "@hush/keys";
import { decodeMessage, encodeMessage, type Message } from "@hush/wire";

const hostKey = await generateKey("ssh-ed25519");
const inputs = {
  clientVersion: "SSH-2.0-HushBench_client",
  serverVersion: "SSH-2.0-HushBench_server",
  clientKexInit: new Uint8Array(600).fill(20),
  serverKexInit: new Uint8Array(600).fill(20),
  hostKeyAlgorithm: "ssh-ed25519",
};

async function exchange(kex: string): Promise<void> {
  const client: KexExchange = createClientExchange(kex, inputs);
  const server: KexExchange = createServerExchange(kex, { ...inputs, hostKey });
  let toServer: Message[] = await client.start();
  await server.start();
  for (let done = false; !done;) {
    const toClient: Message[] = [];
    for (const m of toServer) {
      const { reply } = await server.receive(decodeMessage(encodeMessage(m), server.decodeContext));
      toClient.push(...reply);
    }
    toServer = [];
    for (const m of toClient) {
      const { reply, result } = await client.receive(
        decodeMessage(encodeMessage(m), client.decodeContext),
      );
      toServer.push(...reply);
      if (result) done = true;
    }
    if (toServer.length === 0 && !done) throw new Error("stalled");
  }
}

for (const kex of KEX_METHODS) {
  await exchange(kex); // warm up
  Deno.bench(kex, { group: "kex", baseline: kex === "curve25519-sha256" }, async () => {
    await exchange(kex);
  });
}
