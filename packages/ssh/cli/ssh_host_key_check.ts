/**
 * What `ssh` shows and asks while it checks the server's host key: the randomart picture under
 * `-v`, and the yes/no/fingerprint question for a key it does not know.
 * @module
 */
import type { KnownHosts } from "@hush/hostkeys";
import { parsePublicKey, randomart } from "@hush/keys";
import type { Io } from "./ssh_io.ts";
import { readLine } from "./ssh_tty.ts";

/** Wraps the store's verify so that `-v` traces the host key's randomart once per key. */
export function traceHostKeys(store: KnownHosts, io: Io): KnownHosts {
  const verify = store.verify.bind(store);
  let shown: Uint8Array | undefined;
  store.verify = (host, port, blob) => {
    if (shown === blob) return verify(host, port, blob);
    shown = blob;
    try {
      const key = parsePublicKey(blob);
      // the transport traces "Server host key: type SHA256:…"; ssh -v adds the picture
      if (io.verbose) {
        const plain = key.certificate ? key.certificate.key : key;
        for (const line of randomart(plain).split("\n")) io.trace(line);
      }
    } catch { /* verify reports it */ }
    return verify(host, port, blob);
  };
  return store;
}

/** Asks on the terminal whether to trust an unknown host key: yes, no, or its fingerprint. */
export async function askHostKey(
  info: { message?: string; fingerprint: string },
): Promise<boolean> {
  // the question is the prompt: on the terminal, or the argument of SSH_ASKPASS
  let prompt =
    (info.message ?? "Are you sure you want to continue connecting (yes/no/[fingerprint])?") +
    " ";
  for (;;) {
    const answer = await readLine(prompt, { echo: true });
    if (answer === undefined) return false;
    const a = answer.trim();
    if (/^yes$/i.test(a) || a === info.fingerprint) return true;
    if (/^no$/i.test(a)) return false;
    prompt = "Please type 'yes', 'no' or the fingerprint: ";
  }
}
