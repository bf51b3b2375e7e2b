/**
 * `ConnectTimeout` for the `ssh` command: a deadline for the whole of connect(), failing with an
 * error that says whether TCP had connected (`failureMessage` words the two cases differently).
 * @module
 */
import { SshError } from "@hush/wire";
import type { SshSettings } from "./ssh_config.ts";
import type { Io } from "./ssh_io.ts";

/**
 * Raised when ConnectTimeout runs out; says whether TCP had connected. Its `code` is
 * `"ERR_SSH_CONNECT_TIMEOUT"`, as connect()'s own timeout.
 */
class ConnectTimeout extends SshError {
  readonly connected: boolean;
  constructor(connected: boolean) {
    super("ERR_SSH_CONNECT_TIMEOUT", "Connection timed out");
    this.name = "ConnectTimeout";
    this.connected = connected;
  }
}

/**
 * ConnectTimeout as a deadline for the whole of connect(): a peer that accepts the TCP
 * connection and then says nothing must not keep ssh waiting (its transport only gives up once
 * the socket closes).
 */
export async function withConnectTimeout<T>(
  connecting: Promise<T>,
  s: SshSettings,
  io: Io,
): Promise<T> {
  if (!s.connectTimeout) return await connecting;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // a little later than the transport's own timer, so that its error wins when it can
    timer = setTimeout(
      () => reject(new ConnectTimeout(io.connected ?? false)),
      s.connectTimeout! + 250,
    );
  });
  try {
    return await Promise.race([connecting, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
