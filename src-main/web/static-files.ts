// Serving the built renderer safely, shared by the Electron app:// handler and the web-mode backend:
// the URL path is resolved inside the renderer folder or refused (no "..", no encoded escapes, no NUL).
import { isAbsolute, relative, resolve, extname } from 'node:path';

/**
 * The renderer's Content Security Policy. index.html carries the same policy as a meta tag
 * (test/layer-boundaries.test.ts keeps them equal). 'self' in connect-src also covers same-origin ws: in
 * web mode; in Electron the renderer has no network at all beyond app://.
 */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Absolute file path for a URL path inside `root`, or null if it would leave `root` or is malformed. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded === '' || decoded === '/') decoded = '/index.html';
  const base = resolve(root);
  const target = resolve(base, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  const rel = relative(base, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return target;
}
