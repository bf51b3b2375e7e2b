import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKey, parsePublicKey, type PrivateKey } from "@hush/keys";
import { encodeMessage } from "@hush/wire";
import {
  createClientExchange,
  createKexInit,
  createServerExchange,
  DEFAULT_KEX,
  deriveKeys,
  KEX_METHODS,
  kexMethodInfo,
  negotiate,
} from "./mod.ts";
import { runExchange } from "./testing.ts";

// one host key per type, made once (RSA generation is the slow part)
const hostKeys: Record<string, Promise<PrivateKey>> = {
  "ssh-ed25519": generateKey("ssh-ed25519"),
  "ecdsa-sha2-nistp256": generateKey("ecdsa-sha2-nistp256"),
  "ecdsa-sha2-nistp384": generateKey("ecdsa-sha2-nistp384"),
  "ecdsa-sha2-nistp521": generateKey("ecdsa-sha2-nistp521"),
  "ssh-rsa": generateKey("ssh-rsa", { bits: 2048 }),
};

const HOST_KEY_ALGORITHMS: [string, string][] = [
  ["ssh-ed25519", "ssh-ed25519"],
  ["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"],
  ["ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384"],
  ["ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521"],
  ["ssh-rsa", "rsa-sha2-256"],
  ["ssh-rsa", "rsa-sha2-512"],
];

const isAead = (c: string) => c === "chacha20-poly1305@openssh.com";

async function handshake(kex: string, keyType: string, algorithm: string) {
  const hostKey = await hostKeys[keyType];
  const prefs = (hostKey: string[]) => ({
    kex: [kex],
    hostKey,
    ciphers: ["chacha20-poly1305@openssh.com"],
    macs: ["hmac-sha2-256-etm@openssh.com"],
    compression: ["none"],
  });
  const clientInit = createKexInit(prefs([algorithm]), { role: "client", first: true });
  const serverInit = createKexInit(prefs([...hostKey.publicKey.signatureAlgorithms]), {
    role: "server",
    first: true,
  });
  const n = negotiate(clientInit, serverInit, { isAead, first: true });
  assert.equal(n.kex, kex);
  assert.equal(n.hostKey, algorithm);
  const inputs = {
    clientVersion: "SSH-2.0-HushTest_client",
    serverVersion: "SSH-2.0-HushTest_server",
    clientKexInit: encodeMessage(clientInit),
    serverKexInit: encodeMessage(serverInit),
    hostKeyAlgorithm: n.hostKey,
  };
  const client = createClientExchange(n.kex, inputs);
  const server = createServerExchange(n.kex, { ...inputs, hostKey });
  assert.deepEqual(client.decodeContext, { kex: kexMethodInfo(kex).family });
  const run = await runExchange(client, server);
  return { run, hostKey };
}

for (const kex of KEX_METHODS) {
  // DH-8192 is slow on shared machines: every host key type, but nothing more
  for (const [keyType, algorithm] of HOST_KEY_ALGORITHMS) {
    test(`in memory: ${kex} with ${algorithm}`, async () => {
      const { run, hostKey } = await handshake(kex, keyType, algorithm);
      assert.deepEqual(run.client.exchangeHash, run.server.exchangeHash);
      assert.deepEqual(run.client.sharedSecret, run.server.sharedSecret);
      assert.equal(run.client.hash, kexMethodInfo(kex).hash);
      assert.equal(
        run.client.exchangeHash.length,
        { sha256: 32, sha384: 48, sha512: 64 }[run.client.hash],
      );
      assert.ok(parsePublicKey(run.client.hostKey).equals(hostKey.publicKey));
      const lengths = {
        ivClientToServer: 12,
        keyClientToServer: 64,
        macKeyClientToServer: 0,
        ivServerToClient: 12,
        keyServerToClient: 64,
        macKeyServerToClient: 0,
      };
      assert.deepEqual(
        deriveKeys(run.client, run.client.exchangeHash, lengths),
        deriveKeys(run.server, run.server.exchangeHash, lengths),
      );
    });
  }
}

test("KEX_METHODS covers DEFAULT_KEX; the message counts per family", async () => {
  assert.deepEqual([...KEX_METHODS].sort(), [...DEFAULT_KEX].sort());
  const counts: Record<string, number> = {};
  for (
    const kex of [
      "curve25519-sha256",
      "diffie-hellman-group14-sha256",
      "diffie-hellman-group-exchange-sha256",
    ]
  ) {
    counts[kex] = (await handshake(kex, "ssh-ed25519", "ssh-ed25519")).run.transcript.length;
  }
  assert.deepEqual(counts, {
    "curve25519-sha256": 2,
    "diffie-hellman-group14-sha256": 2,
    "diffie-hellman-group-exchange-sha256": 4,
  });
});

test("two exchanges with the same inputs give different keys (fresh randomness)", async () => {
  const a = await handshake("curve25519-sha256", "ssh-ed25519", "ssh-ed25519");
  const b = await handshake("curve25519-sha256", "ssh-ed25519", "ssh-ed25519");
  assert.notDeepEqual(a.run.client.sharedSecret, b.run.client.sharedSecret);
});

test("unknown methods and unusable host keys are TypeErrors from the factories", async () => {
  const inputs = {
    clientVersion: "SSH-2.0-a",
    serverVersion: "SSH-2.0-b",
    clientKexInit: new Uint8Array([20]),
    serverKexInit: new Uint8Array([20]),
    hostKeyAlgorithm: "ssh-ed25519",
  };
  assert.throws(() => createClientExchange("diffie-hellman-group1-sha1", inputs), TypeError);
  assert.throws(() => createClientExchange("ext-info-c", inputs), TypeError);
  assert.throws(() => createClientExchange("toString", inputs), TypeError);
  const hostKey = await hostKeys["ecdsa-sha2-nistp256"];
  assert.throws(() => createServerExchange("curve25519-sha256", { ...inputs, hostKey }), TypeError);
});

test("first_kex_packet_follows: a right guess is used, a wrong one is dropped for the real INIT", async () => {
  const hostKey = await hostKeys["ssh-ed25519"];
  const prefs = (kex: string[]) => ({
    kex,
    hostKey: ["ssh-ed25519"],
    ciphers: ["aes128-ctr"],
    macs: ["hmac-sha2-256"],
    compression: ["none"],
  });
  for (
    const [clientKex, wrong] of [[["curve25519-sha256"], false], [[
      "ecdh-sha2-nistp256",
      "curve25519-sha256",
    ], true]] as const
  ) {
    const clientInit = {
      ...createKexInit(prefs([...clientKex]), { role: "client", first: true }),
      firstKexPacketFollows: true,
    };
    const serverInit = createKexInit(prefs(["curve25519-sha256", "ecdh-sha2-nistp256"]), {
      role: "server",
      first: true,
    });
    const inputs = {
      clientVersion: "SSH-2.0-a",
      serverVersion: "SSH-2.0-b",
      clientKexInit: encodeMessage(clientInit),
      serverKexInit: encodeMessage(serverInit),
      hostKeyAlgorithm: "ssh-ed25519",
    };
    // the client guessed its own first method and sent its INIT before seeing the server's KEXINIT
    const guessed = await createClientExchange(clientKex[0], inputs).start();
    const n = negotiate(clientInit, serverInit, { isAead, first: true });
    assert.equal(n.guessWrong, wrong);
    const server = createServerExchange(n.kex, { ...inputs, hostKey });
    if (!wrong) {
      assert.deepEqual(await server.start(), []);
      const { reply, result } = await server.receive(guessed[0]);
      assert.equal(reply[0].type, "kexEcdhReply");
      assert.ok(result);
    } else {
      // the transport drops the guessed packet; the exchange then runs on the negotiated method
      const client = createClientExchange(n.kex, inputs);
      const run = await runExchange(client, server);
      assert.deepEqual(run.client.exchangeHash, run.server.exchangeHash);
      assert.equal(n.kex, "ecdh-sha2-nistp256");
    }
  }
});
