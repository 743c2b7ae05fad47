import { connect, type Socket } from 'node:net';

/** A raw TCP connection to `host:port` that records what the server sends and when it closes. */
export interface RawClient {
  readonly socket: Socket;
  /** Resolves with the milliseconds from connecting to the close. */
  readonly closed: Promise<number>;
  received(): string;
}

/** Opens a raw connection (for slow-client and framing tests); destroy its socket when done. */
export function rawClient(address: string): RawClient {
  const i = address.lastIndexOf(':');
  const socket = connect(Number(address.slice(i + 1)), address.slice(0, i));
  let received = '';
  socket.on('data', (d) => (received += d.toString()));
  socket.on('error', () => {});
  const t0 = Date.now();
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => resolve(Date.now() - t0)),
  );
  return { socket, closed, received: () => received };
}
