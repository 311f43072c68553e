import { connect, createServer } from 'node:net';

/**
 * Another address of the loopback network: on Linux all of 127.0.0.0/8 reaches this machine through
 * `lo`, so a server bound to every interface (0.0.0.0) accepts there too, while one bound to
 * 127.0.0.1 refuses. No external address is needed to tell them apart.
 */
export const OTHER_LOOPBACK_ADDRESS = '127.0.0.2';

export type ConnectOutcome = 'accepted' | 'refused' | `failed: ${string}`;

/** What a TCP connection to host:port meets: accepted, refused (nothing listens there), or another failure. */
export function connectOutcome(host: string, port: number): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : `failed: ${error.code ?? error.message}`),
    );
  });
}

/**
 * Where a server on `port` can be reached: 127.0.0.1, the other loopback address, and (the control
 * that shows the probe can tell) where a server of the probe's own, bound to every interface, can.
 * A stand-in bound to loopback only gives { loopback: 'accepted', otherAddress: 'refused',
 * everyInterfaceControl: 'accepted' }.
 */
export async function reachability(port: number) {
  const control = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => control.listen(0, '0.0.0.0', resolve));
  const controlPort = (control.address() as { port: number }).port;
  try {
    return {
      loopback: await connectOutcome('127.0.0.1', port),
      otherAddress: await connectOutcome(OTHER_LOOPBACK_ADDRESS, port),
      everyInterfaceControl: await connectOutcome(OTHER_LOOPBACK_ADDRESS, controlPort),
    };
  } finally {
    await new Promise((resolve) => control.close(resolve));
  }
}

export const LOOPBACK_ONLY = { loopback: 'accepted', otherAddress: 'refused', everyInterfaceControl: 'accepted' };

/** The port of an endpoint such as http://127.0.0.1:8000. */
export const portOf = (endpoint: string) => Number(new URL(endpoint).port);
