/**
 * WebSocket subscriptions through the organisation's gateway: an upgrade
 * request for `/epcis/queries/{name}/events` is authenticated here (bearer
 * token, a role that may query) and then relayed byte for byte to the
 * indexer, which streams the committed events. Anything else asking for an
 * upgrade is refused.
 */
import type { IncomingMessage } from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { bearerToken, type JwtVerifier } from '../../../../lib/platform/src';
import { hasAnyRole } from '../../../../lib/domain/src';
import { EPCIS_QUERY_ROLES } from './epcis-query-proxy';

const PATH = /^\/epcis\/queries\/[A-Za-z0-9_.-]{1,64}\/events(\?.*)?$/;

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The gateway server's `upgrade` listener. */
export function epcisStreamUpgrade(opts: { queryUrl: string; verifier: JwtVerifier; logger: Logger }) {
  const target = new URL(opts.queryUrl);
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!PATH.test(req.url ?? '')) return refuse(socket, '404 Not Found');
    let token: string;
    try {
      token = bearerToken(req.headers.authorization);
    } catch {
      return refuse(socket, '401 Unauthorized');
    }
    opts.verifier.verify(token).then(
      (principal) => {
        if (!hasAnyRole(principal, EPCIS_QUERY_ROLES)) return refuse(socket, '403 Forbidden');
        // An HTTPS query API is checked against the system's CAs and NODE_EXTRA_CA_CERTS, as fetch checks it.
        const secure = target.protocol === 'https:';
        const port = Number(target.port || (secure ? 443 : 80));
        const hostname = target.hostname.replace(/^\[|\]$/g, '');
        const connect = (ready: () => void) =>
          secure ? tls.connect({ port, host: hostname, servername: net.isIP(hostname) ? undefined : hostname }, ready) : net.connect(port, hostname, ready);
        const upstream = connect(() => {
          const lines = [`${req.method} ${req.url} HTTP/1.1`];
          for (let i = 0; i < req.rawHeaders.length; i += 2) {
            const name = req.rawHeaders[i].toLowerCase();
            if (name === 'host') continue;
            lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
          }
          lines.push(`Host: ${target.host}`);
          upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
          if (head.length > 0) upstream.write(head);
          upstream.pipe(socket);
          socket.pipe(upstream);
        });
        const close = () => {
          upstream.destroy();
          socket.destroy();
        };
        upstream.on('error', (err) => {
          opts.logger.warn({ err }, 'EPCIS event stream upstream failed');
          close();
        });
        socket.on('error', close);
        socket.on('close', () => upstream.destroy());
      },
      (err: unknown) => refuse(socket, (err as { httpStatus?: number }).httpStatus === 403 ? '403 Forbidden' : '401 Unauthorized'),
    );
  };
}
