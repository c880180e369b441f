/**
 * Exercise 3 data: Moving-MNIST-like clips. Each clip shows 1–2 procedurally drawn digits
 * (seven-segment strokes, random scale) moving at constant speed and bouncing off the walls.
 * The canvas is 32×32 by default (the original is 64×64; 32×32 keeps training on CPU/wasm fast).
 * Pixel values are multiples of 1/255 in [0, 1], so the uint8 file stores them losslessly.
 */
import { drawDigit } from './glyphs.ts';
import { type Bundle, getArray, readBundle, readSplit, splitArrays, writeBundle } from './io.ts';
import { deriveSeed, rng as seededRng } from '../random.ts';
import { DEFAULT_SPLIT, type SplitFractions, type SplitIndices, randomSplit } from './splits.ts';

/** Options of `generateMovingMnist`. */
export interface MovingMnistOptions {
  /** Number of clips. Default 1000. */
  n?: number;
  /** Frames per clip. Default 16. */
  frames?: number;
  /** Canvas side in pixels. Default 32. */
  size?: number;
  /** Digits per clip are drawn uniformly from 1…maxDigits. Default 2. */
  maxDigits?: number;
  /** Glyph height range as fractions of the canvas side. Default [0.3, 0.5]. */
  scale?: [number, number];
  /** Speed range in pixels per frame. Default [1, 2.5]. */
  speed?: [number, number];
  /** Default 42. */
  seed?: number;
  split?: SplitFractions;
}

/** A clip data set. */
export interface MovingMnistData {
  /** `n × frames × size × size`, values in [0, 1]. */
  clips: Float32Array;
  /** `n × maxDigits` digit labels, -1 where a clip has fewer digits. */
  digits: Int32Array;
  n: number;
  frames: number;
  size: number;
  maxDigits: number;
  split: SplitIndices;
  options: Required<MovingMnistOptions>;
}

const KIND = 'moving-mnist';

function resolve(opts: MovingMnistOptions): Required<MovingMnistOptions> {
  const o: Required<MovingMnistOptions> = {
    n: opts.n ?? 1000,
    frames: opts.frames ?? 16,
    size: opts.size ?? 32,
    maxDigits: opts.maxDigits ?? 2,
    scale: opts.scale ?? [0.3, 0.5],
    speed: opts.speed ?? [1, 2.5],
    seed: opts.seed ?? 42,
    split: opts.split ?? DEFAULT_SPLIT,
  };
  if (o.size < 8 || o.scale[1] > 0.9 || o.scale[0] <= 0) throw new Error('moving-mnist: size ≥ 8 and 0 < scale ≤ 0.9 required');
  if (o.maxDigits < 1) throw new Error('moving-mnist: maxDigits must be ≥ 1');
  return o;
}

/** Generates the clips; same options → identical arrays. */
export function generateMovingMnist(opts: MovingMnistOptions = {}): MovingMnistData {
  const o = resolve(opts);
  const rng = seededRng(deriveSeed(o.seed, 'data/moving-mnist'));
  const px = o.size * o.size;
  const quantised = new Uint8Array(o.n * o.frames * px);
  const digits = new Int32Array(o.n * o.maxDigits).fill(-1);
  const canvas = new Float32Array(px);
  for (let c = 0; c < o.n; c++) {
    const count = 1 + rng.int(0, o.maxDigits);
    const movers = Array.from({ length: count }, (_, k) => {
      const digit = rng.int(0, 10);
      digits[c * o.maxDigits + k] = digit;
      const height = o.size * rng.uniform(o.scale[0], o.scale[1]);
      const maxX = o.size - height / 2;
      const maxY = o.size - height;
      const angle = rng.uniform(0, 2 * Math.PI);
      const speed = rng.uniform(o.speed[0], o.speed[1]);
      return {
        digit,
        height,
        // at least 2 px so that some pixel centre lies on the stroke and reaches full intensity
        thickness: Math.max(2, height / 6),
        maxX,
        maxY,
        x: rng.uniform(0, maxX),
        y: rng.uniform(0, maxY),
        vx: speed * Math.cos(angle),
        vy: speed * Math.sin(angle),
      };
    });
    for (let f = 0; f < o.frames; f++) {
      canvas.fill(0);
      for (const m of movers) drawDigit(canvas, o.size, m);
      const at = (c * o.frames + f) * px;
      for (let i = 0; i < px; i++) quantised[at + i] = Math.round(canvas[i]! * 255);
      for (const m of movers) {
        m.x += m.vx;
        m.y += m.vy;
        // reflect off the walls (a fast digit may need the mirrored position clamped)
        if (m.x < 0 || m.x > m.maxX) {
          m.vx = -m.vx;
          m.x = Math.min(m.maxX, Math.max(0, m.x < 0 ? -m.x : 2 * m.maxX - m.x));
        }
        if (m.y < 0 || m.y > m.maxY) {
          m.vy = -m.vy;
          m.y = Math.min(m.maxY, Math.max(0, m.y < 0 ? -m.y : 2 * m.maxY - m.y));
        }
      }
    }
  }
  return {
    clips: dequantise(quantised),
    digits,
    n: o.n,
    frames: o.frames,
    size: o.size,
    maxDigits: o.maxDigits,
    split: randomSplit(o.n, o.split, o.seed),
    options: o,
  };
}

function dequantise(q: Uint8Array): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i]! / 255;
  return out;
}

/** Writes the clips as a bundle into `dir` (pixels as uint8: a quarter of float32's size). */
export async function writeMovingMnist(dir: string, data: MovingMnistData): Promise<void> {
  const q = new Uint8Array(data.clips.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.round(data.clips[i]! * 255);
  await writeBundle(dir, KIND, { options: data.options }, {
    clips: { data: q, shape: [data.n, data.frames, data.size, data.size] },
    digits: { data: data.digits, shape: [data.n, data.maxDigits] },
    ...splitArrays(data.split),
  });
}

/** Reads clips written by `writeMovingMnist`. */
export async function readMovingMnist(dir: string): Promise<MovingMnistData> {
  const b: Bundle<{ options: Required<MovingMnistOptions> }> = await readBundle(dir, KIND);
  const clips = getArray(b, 'clips', Uint8Array);
  const digits = getArray(b, 'digits', Int32Array);
  const [n = 0, frames = 0, size = 0] = clips.shape;
  return {
    clips: dequantise(clips.data),
    digits: digits.data,
    n,
    frames,
    size,
    maxDigits: digits.shape[1] ?? 0,
    split: readSplit(b),
    options: b.meta.options,
  };
}
