/**
 * A minimal grayscale PNG encoder (8-bit, no interlace, filter 0) on node:zlib: enough for
 * reconstructed frames, and it keeps a raster library out of the dependencies.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** Encodes `pixels` (row-major, values in [0, 1], clamped) as a grayscale PNG. */
export function encodeGrayPng(pixels: ArrayLike<number>, width: number, height: number): Buffer {
  if (pixels.length !== width * height) throw new Error(`PNG: ${pixels.length} pixels for ${width}×${height}`);
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0;
    for (let x = 0; x < width; x++) {
      const v = pixels[y * width + x]!;
      raw[y * (width + 1) + 1 + x] = Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array()),
  ]);
}

/**
 * Tiles equally sized square frames into one image: `grid[row][col]` is a frame of `size`²
 * pixels; `gap` pixels of white between tiles.
 */
export function montage(grid: readonly (readonly ArrayLike<number>[])[], size: number, gap = 2): { pixels: Float32Array; width: number; height: number } {
  const rows = grid.length;
  const cols = Math.max(0, ...grid.map((r) => r.length));
  const width = cols * size + (cols - 1) * gap;
  const height = rows * size + (rows - 1) * gap;
  const pixels = new Float32Array(width * height).fill(1);
  grid.forEach((row, r) => row.forEach((frame, c) => {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) pixels[(r * (size + gap) + y) * width + c * (size + gap) + x] = frame[y * size + x]!;
    }
  }));
  return { pixels, width, height };
}
