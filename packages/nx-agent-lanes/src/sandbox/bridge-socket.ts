import { type Server, type Socket, connect, createServer } from 'node:net';

export interface SocketServer {
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Serves a unix socket whose every connection is relayed to a loopback TCP port: the host half
 * of the bridge that lets a process without a network reach the API proxy. In-process, so a
 * sandboxed run costs no extra process on the host side.
 */
export function bridgeSocketToPort(options: { socketPath: string; port: number; host?: string }): Promise<SocketServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((inside) => {
    const outside = connect({ host, port: options.port });
    relay(inside, outside);
  });
  return listenOnSocket(server, options.socketPath);
}

/** Pipes two sockets both ways; an error or a close on either side ends both. */
export function relay(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end).on('close', end);
  b.on('error', end).on('close', end);
}

/** Listens on a unix socket path and gives back its closer; open connections are ended on close. */
export function listenOnSocket(server: Server, socketPath: string): Promise<SocketServer> {
  const open = new Set<Socket>();
  server.on('connection', (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve({
        socketPath,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of open) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
