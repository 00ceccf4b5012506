import { createServer, type Socket } from 'node:net';

/** A TCP server on 127.0.0.1 that counts every connection made to it: what a replay must never reach. */
export interface Canary {
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}

export async function startCanary(): Promise<Canary> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    n++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => n,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
