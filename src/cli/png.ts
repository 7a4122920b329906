/**
 * A phase diagram as a PNG: the scene of src/stats/phase-diagram.ts rasterised into RGB pixels, and a minimal PNG
 * encoder (8-bit RGB, one IDAT deflated by node:zlib, filter 0 on every row). Text is drawn in a built-in 3×5 pixel
 * font at twice its size, upper case only (lower case is drawn as upper case; ξ is written XI), so the PNG carries
 * the same ticks, titles and legend as the SVG without a font library. The SVG stays the sharper of the two.
 */
import { deflateSync } from 'node:zlib';
import type { Rgb, Scene, Shape } from '../stats/phase-diagram.ts';

/** Glyphs 3 wide and 5 high: one octal digit per row, top first, 4 = left pixel, 1 = right pixel. */
const FONT: Readonly<Record<string, string>> = {
  A: '25755', B: '65656', C: '34443', D: '65556', E: '74647', F: '74644', G: '34553', H: '55755', I: '72227', J: '11152',
  K: '55655', L: '44447', M: '57755', N: '65555', O: '25552', P: '65644', Q: '25563', R: '65655', S: '34216', T: '72222',
  U: '55557', V: '55552', W: '55775', X: '55255', Y: '55222', Z: '71247',
  '0': '75557', '1': '26227', '2': '71747', '3': '71717', '4': '55711', '5': '74717', '6': '74757', '7': '71111', '8': '75757', '9': '75717',
  '.': '00002', ',': '00024', '-': '00700', '+': '02720', ':': '02020', '=': '07070', '(': '12221', ')': '42224', '/': '11244', '_': '00007',
  ' ': '00000', '↑': '27222', '?': '71302',
};
const SCALE = 2;
const ADVANCE = 4 * SCALE;

/** What the font can draw for a string: upper case, ξ as XI, anything else as '?'. */
export function fontText(text: string): string {
  return [...text.replace(/ξ/g, 'XI').toUpperCase()].map((c) => (FONT[c] ? c : '?')).join('');
}

/** An RGB image in memory with the few drawing operations a scene needs. */
export class Raster {
  readonly rgb: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgb = new Uint8Array(width * height * 3).fill(255);
  }

  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.rgb.set(c, (y * this.width + x) * 3);
  }

  fill(x: number, y: number, w: number, h: number, c: Rgb, where: (x: number, y: number) => boolean = () => true): void {
    const [x0, y0, x1, y1] = [Math.round(x), Math.round(y), Math.round(x + w), Math.round(y + h)];
    for (let j = y0; j < y1; j++) for (let i = x0; i < x1; i++) if (where(i, j)) this.set(i, j, c);
  }

  outline(x: number, y: number, w: number, h: number, c: Rgb): void {
    const [x0, y0, x1, y1] = [Math.round(x), Math.round(y), Math.round(x + w) - 1, Math.round(y + h) - 1];
    for (let i = x0; i <= x1; i++) {
      this.set(i, y0, c);
      this.set(i, y1, c);
    }
    for (let j = y0; j <= y1; j++) {
      this.set(x0, j, c);
      this.set(x1, j, c);
    }
  }

  /** A polyline stamped with a square brush every half pixel; `dash` draws dash px, then skips 0.6 · dash px. */
  polyline(points: readonly [number, number][], c: Rgb, width: number, dash = 0): void {
    const r = width / 2;
    let travelled = 0;
    for (let k = 1; k < points.length; k++) {
      const [ax, ay] = points[k - 1]!;
      const [bx, by] = points[k]!;
      const len = Math.hypot(bx - ax, by - ay);
      for (let t = 0; t <= len; t += 0.5) {
        if (!dash || (travelled + t) % (dash * 1.6) < dash) this.fill(ax + ((bx - ax) * t) / (len || 1) - r, ay + ((by - ay) * t) / (len || 1) - r, width, width, c);
      }
      travelled += len;
    }
  }

  /** Text with its baseline at y. */
  text(x: number, y: number, text: string, anchor: 'start' | 'middle' | 'end', c: Rgb): void {
    const t = fontText(text);
    const w = t.length * ADVANCE - SCALE;
    let left = Math.round(anchor === 'start' ? x : anchor === 'middle' ? x - w / 2 : x - w);
    const top = Math.round(y) - 5 * SCALE;
    for (const ch of t) {
      const rows = FONT[ch]!;
      for (let row = 0; row < 5; row++) {
        const bits = Number(rows[row]);
        for (let col = 0; col < 3; col++) if (bits & (4 >> col)) this.fill(left + col * SCALE, top + row * SCALE, SCALE, SCALE, c);
      }
      left += ADVANCE;
    }
  }
}

const HALO: Rgb = [20, 20, 20];
const HATCH: Rgb = [70, 70, 70];
const INK: Rgb = [40, 40, 40];

function draw(r: Raster, s: Shape): void {
  if (s.kind === 'text') return r.text(s.x, s.y, s.text, s.anchor, INK);
  if (s.kind === 'line') {
    if (s.halo) r.polyline(s.points, HALO, s.width + 2, s.dash);
    return r.polyline(s.points, s.stroke, s.width, s.dash);
  }
  if (s.fill) r.fill(s.x, s.y, s.w, s.h, s.fill);
  // The SVG's hatch: 45° lines 6 px apart.
  if (s.hatch) r.fill(s.x, s.y, s.w, s.h, HATCH, (x, y) => (x + y) % 6 < 1.5);
  if (s.stroke) r.outline(s.x, s.y, s.w, s.h, s.stroke);
}

/** Rasterise a scene, shapes in order, at one pixel per unit. */
export function rasterScene(scene: Scene): Raster {
  const r = new Raster(Math.ceil(scene.width), Math.ceil(scene.height));
  for (const s of scene.shapes) draw(r, s);
  return r;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309, the polynomial PNG chunks use). */
export function crc32(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export const PNG_SIGNATURE = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);

/** 8-bit RGB pixels, row by row, as a PNG file. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Uint8Array {
  if (rgb.length !== width * height * 3) throw new RangeError(`encodePng: ${rgb.length} bytes for ${width}×${height} RGB (needs ${width * height * 3})`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, colour type 2 (RGB), deflate, filter set 0, no interlace
  const rows = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) rows.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  const parts = [PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', new Uint8Array(0))];
  return Buffer.concat(parts);
}

export function scenePng(scene: Scene): Uint8Array {
  const r = rasterScene(scene);
  return encodePng(r.width, r.height, r.rgb);
}
