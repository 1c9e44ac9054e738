// One HTTP exchange with a gateway over node:http, bounded in time and size: the gateway is untrusted,
// so a slow or endless reply ends with an error instead of holding the room's start-up or memory.
import { request } from 'node:http';

export interface HttpReply {
  status: number;
  body: string;
  /** Our address on the connection: the LAN address the gateway sees (the mapping's internal client). */
  localAddress: string;
}

export interface HttpExchange {
  url: URL;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
}

export class HttpError extends Error {}

export function httpExchange(ex: HttpExchange): Promise<HttpReply> {
  if (ex.url.protocol !== 'http:') return Promise.reject(new HttpError(`not an http URL: ${ex.url.protocol}`));
  return new Promise<HttpReply>((resolve, reject) => {
    const body = ex.body === undefined ? undefined : Buffer.from(ex.body, 'utf8');
    const req = request(ex.url, {
      method: ex.method,
      headers: {
        ...ex.headers,
        Connection: 'close',
        ...(body ? { 'Content-Length': String(body.length) } : {}),
      },
      // Our own deadline below covers the whole exchange; this one catches a silent socket early.
      timeout: ex.timeoutMs,
    });
    const timer = setTimeout(() => fail(new HttpError(`no complete reply within ${ex.timeoutMs} ms`)), ex.timeoutMs);
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err instanceof HttpError ? err : new HttpError(err.message));
    };
    req.on('timeout', () => fail(new HttpError(`no reply within ${ex.timeoutMs} ms`)));
    req.on('error', fail);
    req.on('response', (res) => {
      const localAddress = res.socket.localAddress ?? '';
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > ex.maxBytes) {
        fail(new HttpError(`reply of ${declared} bytes is over the ${ex.maxBytes}-byte limit`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > ex.maxBytes) fail(new HttpError(`reply is over the ${ex.maxBytes}-byte limit`));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          localAddress: localAddress.replace(/^::ffff:/, ''),
        });
      });
    });
    req.end(body);
  });
}
