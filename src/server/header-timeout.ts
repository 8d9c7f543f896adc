import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { FastifyBaseLogger } from 'fastify';

/** What a connection cut for slow headers is told before it is closed (Node's own words). */
const REQUEST_TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

/** A connection's wait for the headers of its next request. */
interface HeaderWait {
  timer: NodeJS.Timeout;
  /** Requests whose headers are in and whose answer is not finished yet. */
  answering: number;
  /** `socket.bytesRead` when its last answer finished. */
  bytesIdle: number;
  /** Bytes of a request are in (or the connection is new): the next check cuts it if its headers still are not. */
  begun: boolean;
}

/**
 * The request line and headers must arrive within `ms`: of the connection's opening for
 * its first request, of the first check that sees bytes of each later one (a keep-alive
 * connection is idle in between, which the keep-alive timeout bounds). Node's own
 * `headersTimeout` counts from the moment the server accepted the connection, not from
 * when its bytes arrived: a server whose event loop is busy for longer than the timeout
 * between accepting and reading a connection cuts it with its request unread in the
 * socket buffer, and the kernel answers those unread bytes with a reset (the fleet bench:
 * thousands of agents connecting to a saturated server). Here a connection is cut only
 * once the server has read what arrived: the verdict waits for one more poll of the
 * sockets (setImmediate runs after libuv's poll phase), so a late check never blames the
 * client for the server's own lag. Node's timeout stays as a backstop far above (serverTimeouts).
 */
export function installHeaderTimeout(server: Server, ms: number, log: FastifyBaseLogger): void {
  const waits = new WeakMap<Socket, HeaderWait>();
  // Not a connection being answered, nor one already closing (the connection cap's refusals).
  const idle = (socket: Socket, wait: HeaderWait) => wait.answering === 0 && !socket.writableEnded && !socket.destroyed;
  const check = (socket: Socket, wait: HeaderWait) => {
    if (!idle(socket, wait)) return;
    if (!wait.begun) {
      // Nothing of a next request yet: an idle keep-alive connection, looked at again later.
      wait.begun = socket.bytesRead > wait.bytesIdle;
      wait.timer.refresh();
      return;
    }
    setImmediate(() => {
      if (!idle(socket, wait)) return;
      log.info({ address: socket.remoteAddress }, 'request headers too slow: connection cut');
      socket.end(REQUEST_TIMEOUT_RESPONSE, () => socket.destroy());
    });
  };
  // Over TLS the HTTP parser reads the decrypted socket, which 'secureConnection' gives.
  const opened = server instanceof TlsServer ? 'secureConnection' : 'connection';
  server.on(opened, (socket: Socket) => {
    const wait: HeaderWait = {
      timer: setTimeout(() => check(socket, wait), ms),
      answering: 0,
      bytesIdle: 0,
      begun: true,
    };
    wait.timer.unref();
    waits.set(socket, wait);
    socket.once('close', () => clearTimeout(wait.timer));
  });
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const wait = waits.get(request.socket);
    if (!wait) return;
    wait.answering++;
    response.once('finish', () => {
      if (--wait.answering > 0) return;
      wait.begun = false;
      wait.bytesIdle = request.socket.bytesRead;
      wait.timer.refresh();
    });
  });
}
