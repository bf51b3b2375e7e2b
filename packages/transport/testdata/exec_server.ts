/**
 * A tiny session server for tests, run on the server's connection: `exec` of "echo X" prints X,
 * "cat" echoes stdin back, anything else fails with stderr output and exit status 3.
 * @module
 */
import type { ConnectionOptions, ServerSession } from "@hush/channels";

/** A tiny server: `exec` of "echo X" writes X to stdout, "fail" writes to stderr and exits 3. */
function execServer(session: ServerSession): void {
  session.onRequest = (req) => {
    if (req.request !== "exec") return false;
    const run = async () => {
      const out = session.writable.getWriter();
      const err = session.stderrWritable.getWriter();
      const enc = new TextEncoder();
      if (req.command.startsWith("echo ")) {
        await out.write(enc.encode(req.command.slice(5) + "\n"));
        await session.exit(0);
      } else if (req.command === "cat") {
        // echo stdin back until EOF
        for await (const chunk of session.readable) await out.write(chunk);
        await session.exit(0);
      } else {
        await out.write(enc.encode("some output\n"));
        await err.write(enc.encode(`${req.command}: failed\n`));
        await session.exit(3);
      }
    };
    // A client may close once it has the output, before the exit status goes out (it follows
    // EOF, as OpenSSH sends it): then exit() rejects, which is no failure of this server.
    queueMicrotask(() => run().catch(() => {}));
    return true;
  };
}

/** Server connection options that accept session channels only and run them as above. */
export const sessionServer: Partial<ConnectionOptions> = {
  onChannelOpen: (open) => open.channelType === "session",
  onSession: execServer,
};
