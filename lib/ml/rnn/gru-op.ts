/**
 * The whole GRU recurrence as one op with a hand-written BPTT gradient, in tfjs' GRUCell
 * formulation (reset gate applied before the recurrent product, gate order z, r, h):
 *   z = σ(xz + h·Uz), r = σ(xr + h·Ur), ĥ = tanh(xh + (r∘h)·Uh), h' = z∘h + (1−z)∘ĥ.
 * Two GEMMs per step each way (h·[Uz Ur], then (r∘h)·Uh); dU as two big matMuls at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { ftanh, gate, gateGrad, isHard } from './activations.ts';
import { type SequenceOptions, maskValues } from './options.ts';
import { StepGemm, matMulTN } from './step-gemm.ts';

/** Result of {@link gruSequence}. */
export interface GruResult {
  /** (b, t, h), at the original time indices even when `reverse`. */
  outputs: tf.Tensor3D;
  /** Final state (b, h). */
  h: tf.Tensor2D;
}

/**
 * Run a GRU over a projected sequence xp = x·W + b (b, t, 3h). Differentiable w.r.t. xp,
 * recurrentKernel (h, 3h) and h0; the mask gets a zero gradient.
 */
export function gruSequence(xp: tf.Tensor3D, recurrentKernel: tf.Tensor2D, h0: tf.Tensor2D, opts: SequenceOptions = {}): GruResult {
  const [b, t, g3] = xp.shape;
  const h = g3 / 3;
  const hard = isHard(opts.recurrentActivation ?? 'hardSigmoid');
  const reverse = opts.reverse === true;
  const carry = (opts.maskedOutput ?? 'carry') === 'carry';
  const byStep = opts.outputOrder === 'processing';
  const mask = opts.mask ?? tf.ones([b, t]);
  const op = tf.customGrad((...args: unknown[]) => {
    const [xpT, uT, h0T, maskT] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const xv = xpT.dataSync() as Float32Array;
    const mv = opts.mask ? maskValues(maskT) : undefined;
    const bh = b * h;
    // The split halves live only inside each pass: a forward without backward must not leak.
    let [uzr, uh] = tf.split(uT, [2 * h, h], 1) as [tf.Tensor2D, tf.Tensor2D];
    let gemmZr = new StepGemm(uzr);
    let gemmH = new StepGemm(uh);
    const hs = new Float32Array((t + 1) * bh);
    const rhs = new Float32Array(t * bh); // r∘h per step, the left factor of dUh
    const gates = new Float32Array(t * b * g3); // z, r, ĥ
    const packed = new Float32Array(b * (t + 1) * h);
    hs.set(h0T.dataSync() as Float32Array, 0);
    for (let k = 0; k < t; k++) {
      const i = reverse ? t - 1 - k : k;
      const prev = k * bh;
      const a = gemmZr.mul(hs.subarray(prev, prev + bh), b);
      for (let r = 0; r < b; r++) {
        const xo = (r * t + i) * g3;
        const go = (k * b + r) * g3;
        for (let j = 0; j < h; j++) {
          const zg = gate((xv[xo + j] as number) + (a[r * 2 * h + j] as number), hard);
          const rg = gate((xv[xo + h + j] as number) + (a[r * 2 * h + h + j] as number), hard);
          gates[go + j] = zg;
          gates[go + h + j] = rg;
          rhs[prev + r * h + j] = rg * (hs[prev + r * h + j] as number);
        }
      }
      const q = gemmH.mul(rhs.subarray(prev, prev + bh), b);
      const next = prev + bh;
      for (let r = 0; r < b; r++) {
        const m = mv ? (mv[r * t + i] as number) : 1;
        const xo = (r * t + i) * g3;
        const go = (k * b + r) * g3;
        const oo = (r * (t + 1) + (byStep ? k : i)) * h;
        for (let j = 0; j < h; j++) {
          const hh = ftanh((xv[xo + 2 * h + j] as number) + (q[r * h + j] as number));
          const zg = gates[go + j] as number;
          const hp = hs[prev + r * h + j] as number;
          const hn = Math.fround(zg * hp + (1 - zg) * hh);
          gates[go + 2 * h + j] = hh;
          const hNew = m * hn + (1 - m) * hp;
          hs[next + r * h + j] = hNew;
          packed[oo + j] = carry ? hNew : m * hn;
        }
      }
    }
    for (let r = 0; r < b; r++) packed.set(hs.subarray(t * bh + r * h, t * bh + (r + 1) * h), (r * (t + 1) + t) * h);
    const value = tf.tensor3d(packed, [b, t + 1, h]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const dv = (Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy).dataSync() as Float32Array;
      [uzr, uh] = tf.split(uT, [2 * h, h], 1) as [tf.Tensor2D, tf.Tensor2D];
      gemmZr = new StepGemm(uzr);
      gemmH = new StepGemm(uh);
      const dh = new Float32Array(bh);
      for (let r = 0; r < b; r++) dh.set(dv.subarray((r * (t + 1) + t) * h, (r * (t + 1) + t + 1) * h), r * h);
      const dGzr = new Float32Array(t * b * 2 * h);
      const dGh = new Float32Array(t * bh);
      const dz = new Float32Array(bh);
      const dxp = new Float32Array(b * t * g3);
      for (let k = t - 1; k >= 0; k--) {
        const i = reverse ? t - 1 - k : k;
        const prev = k * bh;
        for (let r = 0; r < b; r++) {
          const m = mv ? (mv[r * t + i] as number) : 1;
          const go = (k * b + r) * g3;
          const xo = (r * t + i) * g3;
          const oo = (r * (t + 1) + (byStep ? k : i)) * h;
          for (let j = 0; j < h; j++) {
            const s = r * h + j;
            const dOut = dv[oo + j] as number;
            const dhk = (dh[s] as number) + (carry ? dOut : 0);
            const dhn = m * dhk + (carry ? 0 : m * dOut);
            const zg = gates[go + j] as number;
            const hh = gates[go + 2 * h + j] as number;
            const hp = hs[prev + s] as number;
            dz[s] = dhn * (hp - hh);
            const dzh = dhn * (1 - zg) * (1 - hh * hh);
            dGh[prev + s] = dzh;
            dxp[xo + 2 * h + j] = dzh;
            dh[s] = (1 - m) * dhk + dhn * zg;
          }
        }
        const drh = gemmH.mulT(dGh.subarray(prev, prev + bh), b);
        const zro = k * b * 2 * h;
        for (let r = 0; r < b; r++) {
          const go = (k * b + r) * g3;
          const xo = (r * t + i) * g3;
          for (let j = 0; j < h; j++) {
            const s = r * h + j;
            const rg = gates[go + h + j] as number;
            const d = drh[s] as number;
            const dzr = d * (hs[prev + s] as number) * gateGrad(rg, hard);
            const dzz = (dz[s] as number) * gateGrad(gates[go + j] as number, hard);
            dh[s] = (dh[s] as number) + d * rg;
            dGzr[zro + r * 2 * h + j] = dzz;
            dGzr[zro + r * 2 * h + h + j] = dzr;
            dxp[xo + j] = dzz;
            dxp[xo + h + j] = dzr;
          }
        }
        const rec = gemmZr.mulT(dGzr.subarray(zro, zro + b * 2 * h), b);
        for (let s = 0; s < bh; s++) dh[s] = (dh[s] as number) + (rec[s] as number);
      }
      const dU = tf.tidy(() => tf.concat([matMulTN(hs.subarray(0, t * bh), h, dGzr, 2 * h), matMulTN(rhs, h, dGh, h)], 1));
      gemmZr.dispose();
      gemmH.dispose();
      uzr.dispose();
      uh.dispose();
      return [tf.tensor3d(dxp, [b, t, g3]), dU, tf.tensor2d(dh, [b, h]), tf.zeros(maskT.shape)];
    };
    uzr.dispose();
    uh.dispose();
    return { value, gradFunc };
  });
  // Intermediates are left to the caller's tidy: the tape may still refer to them.
  const packedOut = op(xp, recurrentKernel, h0, mask) as tf.Tensor3D;
  const outputs = tf.slice(packedOut, [0, 0, 0], [b, t, h]);
  const hT = tf.reshape(tf.slice(packedOut, [0, t, 0], [b, 1, h]), [b, h]) as tf.Tensor2D;
  return { outputs, h: hT };
}
