import { connect } from "node:net";

/** One TCP connection attempt: resolves true when the port accepts within `ms`. */
function accepts(host: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Waits until `host:port` accepts a TCP connection, trying once a second for
 * at most `timeoutSeconds`; throws naming the address when it never does.
 * Used after a zone is created or rebooted: vmadm says `running` before the
 * zone's services (and its addresses) are up.
 */
export async function waitUntilReachable(host: string, port: number, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    if (await accepts(host, port, 2000)) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `${host}:${port} did not accept a connection within ${timeoutSeconds} s after the zone was created or rebooted`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
