// Web mode: a local backend on 127.0.0.1 that serves the built renderer and speaks the IPC contract
// over one WebSocket, calling the same dispatcher (and so the same service) as the Electron handlers.
// Only the page we served may connect: the WebSocket needs the per-run token and our own Origin,
// and the Host header must be ours (no DNS rebinding).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES } from '../../src-shared/ipc/contract.js';
import type { ChatService } from '../service/chat-service.js';
import type { Dispatch } from '../service/dispatch.js';
import type { Logger } from '../service/logger.js';
import { RENDERER_CSP, contentType, resolveStaticPath } from './static-files.js';

/** Largest request frame we accept from the page (a chat message is at most 3800 bytes). */
export const WS_MAX_PAYLOAD = 64 * 1024;
/** A page that stops reading is cut off before its queue grows without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface WebServerOptions {
  port: number;
  rendererDir: string;
  service: ChatService;
  dispatch: Dispatch;
  logger: Logger;
  /** Fixed token (tests); default: 24 random bytes. */
  token?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const log = opts.logger;
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('wrong host');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = resolveStaticPath(opts.rendererDir, url.pathname);
    if (!file) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('forbidden');
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': contentType(file),
      'Content-Length': body.length,
      'Content-Security-Policy': RENDERER_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const http = createServer((req, res) => {
    serveStatic(req, res).catch((err: Error) => {
      log.error('serve-failed', { url: req.url ?? '', error: err.message });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });

  function refuse(socket: Duplex, status: number, why: string): void {
    log.warn('websocket-refused', { why });
    socket.end(
      `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  }

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ws') return refuse(socket, 400, `path ${url.pathname}`);
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(socket, 403, 'wrong Host header');
    const origin = req.headers.origin ?? '';
    if (origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`)
      return refuse(socket, 403, `origin "${origin.slice(0, 80)}"`);
    if (!sameSecret(url.searchParams.get('token') ?? '', token)) return refuse(socket, 403, 'bad token');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const send = (frame: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        log.warn('web: the page is not reading; closing its WebSocket');
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify(frame));
    };
    const unsubscribe = EVENT_NAMES.map((name) =>
      opts.service.on(name, (payload) => send({ t: 'evt', name, payload })),
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) return send({ t: 'err', message: 'binary frames are not accepted' });
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return send({ t: 'err', message: 'malformed JSON' });
      }
      const f = frame as { t?: unknown; id?: unknown; name?: unknown; payload?: unknown };
      if (f?.t !== 'req' || typeof f.id !== 'number' || !Number.isSafeInteger(f.id))
        return send({ t: 'err', message: 'malformed request' });
      const id = f.id;
      void opts.dispatch(f.name, f.payload).then((result) => send({ t: 'res', id, result }));
    });
    ws.on('close', () => unsubscribe.forEach((off) => off()));
    ws.on('error', (err) => log.warn('websocket-error', { error: err.message }));
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/#token=${token}`;
  return {
    url,
    port,
    token,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
