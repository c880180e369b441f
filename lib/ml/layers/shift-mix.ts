/**
 * Convolution of each frame with its own small kernels (the "CDNA" transformation of Finn et al.
 * 2016, "Unsupervised Learning for Physical Interaction through Video Prediction"): a kernel that
 * is a distribution over displacements moves the frame's content by its expected displacement,
 * which a dense decoder would have to learn for every position of every glyph separately.
 *
 * The kernels are separable, a distribution over vertical and one over horizontal displacements
 * (a rigid motion moves every pixel by the same (dy, dx)), so one convolution is two small
 * products with banded shift matrices: out = S_y · F · S_xᵀ. That is ~50× cheaper on wasm than
 * the (2r+1)² shifted slices of a full kernel, which made one training epoch take minutes.
 */
import * as tf from '@tensorflow/tfjs';
import { denseFast } from './dense-fast.ts';

/** (n, a, b)·(n, b, c) with explicit transposes in the gradient (wasm's transposed batched product is its slow path; see dense-fast.ts). */
const bmm = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [tf.matMul(dy as tf.Tensor3D, sb.transpose([0, 2, 1])), tf.matMul(sa.transpose([0, 2, 1]), dy as tf.Tensor3D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;

/** Row d + r of the result is the size×size matrix moving a line's content by d pixels (0 beyond the edge). */
function shiftBasis(size: number, r: number): tf.Tensor2D {
  const m = new Float32Array((2 * r + 1) * size * size);
  for (let d = -r; d <= r; d++) {
    for (let i = 0; i < size; i++) if (i - d >= 0 && i - d < size) m[(d + r) * size * size + i * size + (i - d)] = 1;
  }
  return tf.tensor2d(m, [2 * r + 1, size * size]);
}

const bases = new Map<string, tf.Tensor2D>();

/** {@link shiftBasis}, built once per (size, radius) and kept for the process's life (a constant). */
function basisFor(size: number, r: number): tf.Tensor2D {
  const key = `${size}/${r}`;
  if (!bases.has(key)) bases.set(key, tf.keep(shiftBasis(size, r)));
  return bases.get(key)!;
}

/**
 * `frames` (b, size·size, row-major) moved by k kernels per frame → (b, k, size·size). A kernel is
 * a weighting of vertical displacements −r…r (`vertical`, (b·k, 2r+1), frame-major) and one of
 * horizontal ones (`horizontal`, the same); softmax them for distributions. Content moved past the
 * edge is lost.
 */
export function shiftMix(frames: tf.Tensor2D, vertical: tf.Tensor2D, horizontal: tf.Tensor2D, size: number, r: number): tf.Tensor3D {
  return tf.tidy(() => {
    const b = frames.shape[0];
    const [bk, taps] = vertical.shape;
    const k = bk / b;
    if (taps !== 2 * r + 1 || !Number.isInteger(k) || horizontal.shape[0] !== bk || horizontal.shape[1] !== taps) {
      throw new Error(`shiftMix: kernels must be (${b}·k, ${2 * r + 1}), got (${vertical.shape.join(', ')}) and (${horizontal.shape.join(', ')})`);
    }
    const basis = basisFor(size, r);
    const sy = denseFast(vertical, basis).reshape([bk, size, size]);
    const sx = denseFast(horizontal, basis).reshape([bk, size, size]).transpose([0, 2, 1]);
    // Broadcast rather than tile: wasm's tile is ~100× slower than an add here.
    const f = frames.reshape([b, 1, size, size]).add(tf.zeros([1, k, 1, 1])).reshape([bk, size, size]);
    return bmm(bmm(sy, f), sx).reshape([b, k, size * size]) as tf.Tensor3D;
  });
}

/**
 * Motion evidence between two frames (b, size·size): for every displacement (dy, dx) ∈ [−r, r]²
 * (row-major), how much of `later` is `earlier` moved by it — Σ later(x)·earlier(x − d) / Σ later² —
 * → (b, (2r+1)²). The correlation layer of FlowNet (Dosovitskiy et al. 2015) at one scale: it hands
 * the motion kernels the last displacement directly, which the per-frame codes and the LSTM
 * otherwise had to learn to infer (training stalled at a blurred copy of the last frame).
 */
export function shiftCorrelation(earlier: tf.Tensor2D, later: tf.Tensor2D, size: number, r: number): tf.Tensor2D {
  return tf.tidy(() => {
    const b = earlier.shape[0];
    const n = 2 * r + 1;
    const basis = basisFor(size, r).reshape([n, size, size]);
    // Rank ≤ 4 broadcasts throughout: wasm handles higher ranks element by element.
    const my = basis.reshape([1, n, size, size]).add(tf.zeros([b, 1, 1, 1])).reshape([b * n, size, size]);
    const a = earlier.reshape([b, 1, size, size]).add(tf.zeros([1, n, 1, 1])).reshape([b * n, size, size]);
    const vertical = bmm(my, a); // (b·n, size, size): earlier moved by each dy
    const mx = basis.transpose([0, 2, 1]).reshape([1, n, size, size]).add(tf.zeros([b * n, 1, 1, 1])).reshape([b * n * n, size, size]);
    const both = bmm(vertical.reshape([b * n, 1, size, size]).add(tf.zeros([1, n, 1, 1])).reshape([b * n * n, size, size]), mx);
    const score = both.reshape([b, n * n, size * size]).mul(later.reshape([b, 1, size * size])).sum(2);
    return score.div(later.square().sum(1, true).add(1e-6)) as tf.Tensor2D;
  });
}
