import net from 'node:net';
import { classifyNodeError } from '../errors.js';
import { ProxyError, type ProxyServer } from './proxy-server.js';

/**
 * The bytes a handshake reads from the proxy, in paused mode ('readable' and read()), so that when
 * the handshake is over and its listener is gone the socket is left as new: not flowing, not paused,
 * anything past the handshake still buffered for the HTTP client or TLS that takes it next.
 */
export class HandshakeReader {
  private buffered = Buffer.alloc(0);
  private waiting: { need: (b: Buffer) => number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly proxy: ProxyServer,
  ) {
    socket.on('readable', this.onReadable);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
  }

  /**
   * Resolves with the next message: `need` says how many bytes it takes given what has come (0:
   * not known yet). Bytes after it stay buffered for the next read.
   */
  read(need: (b: Buffer) => number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { need, resolve, reject };
      this.deliver();
    });
  }

  /** Hands the socket over: our listeners off, what came after the handshake put back. */
  release(): net.Socket {
    this.socket.off('readable', this.onReadable);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
    if (this.buffered.length) this.socket.unshift(this.buffered);
    this.buffered = Buffer.alloc(0);
    return this.socket;
  }

  private readonly onReadable = () => {
    for (let chunk = this.socket.read() as Buffer | null; chunk; chunk = this.socket.read() as Buffer | null) {
      this.buffered = Buffer.concat([this.buffered, chunk]);
    }
    this.deliver();
  };

  private readonly onEnd = () => this.fail(new ProxyError(`proxy ${this.proxy.shown} closed the connection during the handshake`));

  private readonly onError = (err: Error) => this.fail(new ProxyError(`proxy ${this.proxy.shown} broke the connection during the handshake (${plain(err)})`));

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(this.failure);
  }

  private deliver(): void {
    const w = this.waiting;
    if (!w) return;
    let n: number;
    try {
      n = w.need(this.buffered);
    } catch (e) {
      this.waiting = undefined;
      return w.reject(e as Error);
    }
    if (n <= 0 || this.buffered.length < n) return;
    this.waiting = undefined;
    const message = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    w.resolve(message);
  }
}

/** A TCP connection to the proxy itself, or a ProxyError saying why there is none. */
export function connectToProxy(proxy: ProxyServer, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxy.host, port: proxy.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProxyError(`proxy ${proxy.shown} (${proxy.from}) did not accept a connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(new ProxyError(`proxy ${proxy.shown} (${proxy.from}) is not reachable (${plain(err)})`));
    };
    socket.once('error', onError);
  });
}

/** Runs a handshake on a fresh connection to the proxy within `timeoutMs`; the socket, ready for the origin's bytes. */
export async function handshake(proxy: ProxyServer, timeoutMs: number, steps: (r: HandshakeReader, socket: net.Socket) => Promise<void>): Promise<net.Socket> {
  const started = Date.now();
  const socket = await connectToProxy(proxy, timeoutMs);
  const reader = new HandshakeReader(socket, proxy);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProxyError(`proxy ${proxy.shown} (${proxy.from}) did not finish its handshake within ${timeoutMs} ms`)), Math.max(1, timeoutMs - (Date.now() - started)));
  });
  try {
    await Promise.race([steps(reader, socket), late]);
    return reader.release();
  } catch (e) {
    reader.release();
    socket.destroy();
    throw e instanceof ProxyError ? e : new ProxyError(`proxy ${proxy.shown}: ${plain(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** A socket error in words, without Node's codes (see errors.ts, describeNodeError). */
function plain(err: unknown): string {
  const kind = classifyNodeError(err);
  const words: Record<string, string> = { dns: 'its host name could not be resolved', refused: 'connection refused', reset: 'connection reset', timeout: 'timed out' };
  return words[kind] ?? String((err as Error)?.message ?? err).replace(/\bE[A-Z]{3,}\b/g, '').trim();
}
