// The web-mode backend over real loopback HTTP and WebSocket: static files with traversal refused,
// the token and Origin checks, and requests/events of the contract through the real dispatcher.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createBackend } from '../../service/backend.js';
import type { ChatService } from '../../service/chat-service.js';
import { resolveStaticPath } from '../static-files.js';
import { startWebServer, type WebServer } from '../web-server.js';
import { waitUntil } from '../../../test/support/wait.js';
import { must, mustFind } from '../../../test/support/must.js';

let dir: string;
let server: WebServer;
let service: ChatService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tincan-web-test-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  // The same backend web mode's main.ts builds.
  const backend = createBackend({ dataDir: join(dir, 'data'), logger });
  service = backend.service;
  server = await startWebServer({
    port: 0,
    rendererDir,
    service,
    dispatch: backend.dispatch,
    logger,
    token: 'test-token',
  });
});

afterAll(async () => {
  await service.shutdown(2000);
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(
  path: string,
  host = `127.0.0.1:${server.port}`,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(query: string, origin: string | null): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

describe('static files', () => {
  it('serves the renderer with the CSP header', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>t</title>');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await get('/assets/app.js')).status).toBe(200);
    expect((await get('/nope.js')).status).toBe(404);
  });
  it('refuses path traversal and foreign Host headers', async () => {
    expect((await get('/..%2fsecret.txt')).status).toBe(403);
    // The URL parser folds %2e%2e into "..", leaving "/secret.txt" inside the renderer folder: not found.
    const dotted = await get('/%2e%2e/secret.txt');
    expect(dotted.status).toBe(404);
    expect(dotted.body).not.toContain('secret');
    expect((await get('/', 'evil.example:80')).status).toBe(421);
    expect(resolveStaticPath('/srv/r', '/../x')).toBeNull();
    expect(resolveStaticPath('/srv/r', '/a%00b')).toBeNull();
    expect(resolveStaticPath('/srv/r', '/%E0%A4%A')).toBeNull();
    expect(resolveStaticPath('/srv/r', '/')).toBe('/srv/r/index.html');
  });
});

describe('WebSocket', () => {
  const origin = () => `http://127.0.0.1:${server.port}`;
  it('needs the token and our origin', async () => {
    expect(await connect('', origin())).toBe(403);
    expect(await connect('?token=wrong', origin())).toBe(403);
    expect(await connect('?token=test-token', 'http://evil.example')).toBe(403);
    expect(await connect('?token=test-token', null)).toBe(403);
  });

  it('answers requests through the dispatcher and pushes events', async () => {
    const ws = (await connect('?token=test-token', origin())) as WebSocket;
    const frames: Array<{
      t: string;
      id?: number;
      name?: string;
      result?: { ok: boolean; code?: string; value?: unknown };
    }> = [];
    ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
    const call = async (id: number, name: string, payload: unknown) => {
      ws.send(JSON.stringify({ t: 'req', id, name, payload }));
      await waitUntil(() => frames.some((f) => f.t === 'res' && f.id === id), {
        timeoutMs: 5000,
        what: `an answer to ${name}`,
      });
      return must(
        mustFind(frames, (f) => f.t === 'res' && f.id === id, `answer to ${name}`).result,
        `result of ${name}`,
      );
    };
    expect(await call(1, 'listRooms', {})).toEqual({ ok: true, value: [] });
    expect(await call(2, 'joinRoom', { address: 'x' })).toMatchObject({ ok: false, code: 'BAD_ARGS' });
    expect(await call(3, 'rm -rf', {})).toMatchObject({ ok: false, code: 'BAD_ARGS' });
    const hosted = await call(4, 'hostRoom', {
      room: 'lobby',
      username: 'alice',
      password: '',
      port: 0,
      bindHost: '127.0.0.1',
    });
    expect(hosted).toMatchObject({ ok: true, value: { room: 'lobby', state: 'connected' } });
    expect(frames.some((f) => f.t === 'evt' && f.name === 'roomUpdated')).toBe(true);
    ws.send('not json');
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitUntil(() => frames.filter((f) => f.t === 'err').length >= 2);
    expect(frames.filter((f) => f.t === 'err')).toHaveLength(2);
    ws.close();
  });
});
