// Draws Tincan's app icon from code (no downloads, no image tools) and writes
// build/icon.png (1024), build/icons/<size>x<size>.png, build/icon.ico and build/icon.icns.
// Run with `node build/make-icons.mjs`; the outputs are committed so packaging never needs this.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// --- PNG encoding -----------------------------------------------------------
const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  // Each scanline starts with filter byte 0 (none).
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- Drawing: signed distances in a unit square, 4x4 supersampling -----------
const clamp01 = (v) => Math.max(0, Math.min(1, v));
function roundedBox(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}
function ellipse(x, y, cx, cy, rx, ry) {
  return (Math.hypot((x - cx) / rx, (y - cy) / ry) - 1) * Math.min(rx, ry);
}
// Colour of one sample point, or null when it is outside the icon.
function shade(x, y) {
  if (roundedBox(x, y, 0.5, 0.5, 0.44, 0.44, 0.1) > 0) return null;
  // Background: teal, lighter at the top.
  let c = [20 + 30 * (1 - y), 110 + 60 * (1 - y), 130 + 50 * (1 - y)];
  // The can: a cylinder body with an elliptic lid, slightly left of centre.
  const cx = 0.44,
    top = 0.36,
    bottom = 0.74,
    rx = 0.17,
    ry = 0.05;
  const inBody = Math.abs(x - cx) <= rx && y >= top && y <= bottom;
  const inBottom = ellipse(x, y, cx, bottom, rx, ry) <= 0;
  if (inBody || inBottom) {
    const t = (x - (cx - rx)) / (2 * rx); // 0..1 across the can, for metallic banding
    const shine = 0.55 + 0.45 * Math.cos((t - 0.3) * Math.PI * 1.6);
    c = [150 + 95 * shine, 160 + 90 * shine, 170 + 80 * shine];
    if (Math.abs(y - 0.55) < 0.06 && !inBottom) c = [235, 120, 60]; // label band
  }
  if (ellipse(x, y, cx, top, rx, ry) <= 0) {
    c = ellipse(x, y, cx, top, rx * 0.8, ry * 0.8) <= 0 ? [120, 130, 140] : [225, 230, 235];
  }
  // The string: a straight line from the lid to a knot at the top right, like a tin-can telephone.
  const sx = 0.8,
    sy = 0.2;
  const along = clamp01(((x - cx) * (sx - cx) + (y - top) * (sy - top)) / ((sx - cx) ** 2 + (sy - top) ** 2));
  if (Math.hypot(x - (cx + along * (sx - cx)), y - (top + along * (sy - top))) < 0.011) c = [250, 240, 210];
  if (ellipse(x, y, sx, sy, 0.035, 0.035) <= 0) c = [235, 120, 60];
  return c;
}
function render(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = shade((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size);
          if (c) {
            r += c[0];
            g += c[1];
            b += c[2];
            a += 1;
          }
        }
      }
      const o = (py * size + px) * 4;
      if (a > 0) {
        rgba[o] = Math.round(r / a);
        rgba[o + 1] = Math.round(g / a);
        rgba[o + 2] = Math.round(b / a);
      }
      rgba[o + 3] = Math.round((255 * a) / (n * n));
    }
  }
  return encodePng(size, rgba);
}

// --- Containers ---------------------------------------------------------------
// ICO with PNG-compressed entries (supported since Windows Vista).
function encodeIco(entries) {
  const header = Buffer.alloc(6 + 16 * entries.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(entries.length, 4);
  let offset = header.length;
  entries.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    header[e] = size >= 256 ? 0 : size;
    header[e + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, e + 4); // colour planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...entries.map((e) => e.png)]);
}
// ICNS with PNG entries; the OSType says which size each one is.
function encodeIcns(entries) {
  const parts = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const total = 8 + parts.reduce((s, p) => s + p.length, 0);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(total, 4);
  return Buffer.concat([head, ...parts]);
}

const sizes = [16, 32, 48, 64, 128, 256, 512, 1024];
const pngs = new Map(sizes.map((s) => [s, render(s)]));
mkdirSync(join(here, 'icons'), { recursive: true });
for (const [s, png] of pngs) if (s <= 512) writeFileSync(join(here, 'icons', `${s}x${s}.png`), png);
writeFileSync(join(here, 'icon.png'), pngs.get(1024));
writeFileSync(
  join(here, 'icon.ico'),
  encodeIco([16, 32, 48, 64, 128, 256].map((size) => ({ size, png: pngs.get(size) }))),
);
writeFileSync(
  join(here, 'icon.icns'),
  encodeIcns([
    { type: 'icp4', png: pngs.get(16) },
    { type: 'icp5', png: pngs.get(32) },
    { type: 'icp6', png: pngs.get(64) },
    { type: 'ic07', png: pngs.get(128) },
    { type: 'ic08', png: pngs.get(256) },
    { type: 'ic09', png: pngs.get(512) },
    { type: 'ic10', png: pngs.get(1024) },
  ]),
);
console.log('icons written to', here);
