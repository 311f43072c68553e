import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local stand-in's HTTP server: on a loopback port (0: a free one) unless a host is given. */
export interface LoopbackServer {
  /** Such as http://127.0.0.1:8080 (an IPv6 address in brackets). */
  readonly url: string;
  /** host:port. */
  readonly host: string;
  /** Stops listening and closes open connections at once. */
  close(): Promise<void>;
}

export async function listenOnLoopback(
  listener: RequestListener,
  options: { readonly port?: number; readonly host?: string } = {},
): Promise<LoopbackServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = `${address.includes(':') ? `[${address}]` : address}:${port}`;
  return {
    url: `http://${host}`,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A request's whole body. */
export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
