#!/usr/bin/env node
/*
 * Draws plugin/relaywatch.png, the 48x48 icon WHM shows under Plugins: a blue tile with a white
 * envelope and an amber magnifier. Plain Node with zlib (no image libraries): shapes are distance
 * functions sampled 4x4 per pixel for smooth edges. Run: node plugin/tools/make-icon.js
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const SIZE = 48;
const SS = 4;

/** Signed distance to a rounded box centred at (cx, cy) with half sizes hw, hh and corner radius r. */
function roundedBox(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}
/** Distance to the segment (ax, ay)-(bx, by). */
function segment(x, y, ax, ay, bx, by) {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy);
}

const BLUE_TOP = [0x21, 0x8c, 0xe6];
const BLUE_BOTTOM = [0x15, 0x65, 0xc0];
const WHITE = [0xff, 0xff, 0xff];
const INK = [0x15, 0x65, 0xc0];
const AMBER = [0xff, 0xb3, 0x00];
const AMBER_DARK = [0xe0, 0x8a, 0x00];

/** Colour and coverage (0..1) of the topmost shape at a sample point, painted back to front. */
function sample(x, y) {
  let rgb = [0, 0, 0];
  let a = 0;
  const over = (c, cov) => {
    if (cov <= 0) return;
    rgb = rgb.map((v, i) => v * (1 - cov) + c[i] * cov);
    a = a + (1 - a) * cov;
  };
  const inside = (d) => (d <= 0 ? 1 : 0);
  // tile
  const t = y / SIZE;
  over(BLUE_TOP.map((v, i) => v * (1 - t) + BLUE_BOTTOM[i] * t), inside(roundedBox(x, y, 24, 24, 23, 23, 8)));
  // envelope body and flap
  over(WHITE, inside(roundedBox(x, y, 21, 20, 14, 10, 2)));
  const flap = Math.min(segment(x, y, 8, 11.5, 21, 22), segment(x, y, 21, 22, 34, 11.5));
  over(INK, flap <= 1.3 ? 1 : 0);
  // magnifier: handle, ring, glass
  over(AMBER_DARK, segment(x, y, 36, 36, 42.5, 42.5) <= 2.6 ? 1 : 0);
  const ring = Math.hypot(x - 31, y - 31);
  over(AMBER, ring <= 8.5 ? 1 : 0);
  over([0xff, 0xf8, 0xe1], ring <= 5.6 ? 1 : 0);
  return [rgb, a];
}

function pixels() {
  const out = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let py = 0; py < SIZE; py++) {
    out[py * (SIZE * 4 + 1)] = 0; // filter: none
    for (let px = 0; px < SIZE; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const [c, cov] = sample(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
          r += c[0]; g += c[1]; b += c[2]; a += cov;
        }
      }
      const n = SS * SS;
      const o = py * (SIZE * 4 + 1) + 1 + px * 4;
      // colours were blended over black: divide by coverage to get straight (unpremultiplied) alpha
      out[o] = a ? Math.round(r / a) : 0;
      out[o + 1] = a ? Math.round(g / a) : 0;
      out[o + 2] = a ? Math.round(b / a) : 0;
      out[o + 3] = Math.round((a / n) * 255);
    }
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
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

function png() {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(pixels(), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const target = path.join(__dirname, '..', 'relaywatch.png');
fs.writeFileSync(target, png());
process.stdout.write(`wrote ${target}\n`);
