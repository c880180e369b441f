/**
 * The whole LSTM recurrence as one op with a hand-written BPTT gradient.
 *
 * Input is the projected sequence xp = x·W + b (b, t, 4h) in Keras gate order i, f, c, o, so
 * the input projection of all timesteps is one big matMul taped by tfjs as usual. Per step the
 * forward pass does one GEMM (h·U) and the gate math in Float32Array loops; the backward pass
 * one GEMM (dG·Uᵀ) per step and dU = Hprevᵀ·dG over all steps as a single matMul at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { ftanh, gate, gateGrad, isHard } from './activations.ts';
import { type SequenceOptions, maskValues } from './options.ts';
import { StepGemm, matMulTN } from './step-gemm.ts';

/** Result of {@link lstmSequence}. */
export interface LstmResult {
  /** (b, t, h), at the original time indices even when `reverse`. */
  outputs: tf.Tensor3D;
  /** Final hidden state (b, h). */
  h: tf.Tensor2D;
  /** Final cell state (b, h). */
  c: tf.Tensor2D;
}

/**
 * Run an LSTM over a projected sequence. Differentiable w.r.t. xp, recurrentKernel, h0, c0
 * (the mask gets a zero gradient). Same numerics as tfjs' LSTMCell stepped by tf.layers.rnn.
 */
export function lstmSequence(
  xp: tf.Tensor3D, recurrentKernel: tf.Tensor2D, h0: tf.Tensor2D, c0: tf.Tensor2D, opts: SequenceOptions = {},
): LstmResult {
  const [b, t, g4] = xp.shape;
  const h = g4 / 4;
  const hard = isHard(opts.recurrentActivation ?? 'hardSigmoid');
  const reverse = opts.reverse === true;
  const carry = (opts.maskedOutput ?? 'carry') === 'carry';
  const byStep = opts.outputOrder === 'processing';
  const mask = opts.mask ?? tf.ones([b, t]);
  const op = tf.customGrad((...args: unknown[]) => {
    const [xpT, uT, h0T, c0T, maskT] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const xv = xpT.dataSync() as Float32Array;
    const mv = opts.mask ? maskValues(maskT) : undefined;
    const bh = b * h;
    const hs = new Float32Array((t + 1) * bh); // state entering step k at k·bh (processing order)
    const cs = new Float32Array((t + 1) * bh);
    const gates = new Float32Array(t * b * g4); // activated i, f, g, o per step
    const tanhC = new Float32Array(t * bh);
    const packed = new Float32Array(b * (t + 2) * h);
    hs.set(h0T.dataSync() as Float32Array, 0);
    cs.set(c0T.dataSync() as Float32Array, 0);
    const gemm = new StepGemm(uT);
    for (let k = 0; k < t; k++) {
      const i = reverse ? t - 1 - k : k;
      const rec = gemm.mul(hs.subarray(k * bh, (k + 1) * bh), b);
      const prev = k * bh;
      const next = prev + bh;
      for (let r = 0; r < b; r++) {
        const m = mv ? (mv[r * t + i] as number) : 1;
        const xo = (r * t + i) * g4;
        const ro = r * g4;
        const go = (k * b + r) * g4;
        const oo = (r * (t + 2) + (byStep ? k : i)) * h;
        for (let j = 0; j < h; j++) {
          const ig = gate((xv[xo + j] as number) + (rec[ro + j] as number), hard);
          const fg = gate((xv[xo + h + j] as number) + (rec[ro + h + j] as number), hard);
          const gg = ftanh((xv[xo + 2 * h + j] as number) + (rec[ro + 2 * h + j] as number));
          const og = gate((xv[xo + 3 * h + j] as number) + (rec[ro + 3 * h + j] as number), hard);
          const cp = cs[prev + r * h + j] as number;
          const hp = hs[prev + r * h + j] as number;
          const cn = Math.fround(fg * cp + ig * gg);
          const tc = ftanh(cn);
          const hn = Math.fround(og * tc);
          gates[go + j] = ig;
          gates[go + h + j] = fg;
          gates[go + 2 * h + j] = gg;
          gates[go + 3 * h + j] = og;
          tanhC[k * bh + r * h + j] = tc;
          const hNew = m * hn + (1 - m) * hp;
          cs[next + r * h + j] = m * cn + (1 - m) * cp;
          hs[next + r * h + j] = hNew;
          packed[oo + j] = carry ? hNew : m * hn;
        }
      }
    }
    for (let r = 0; r < b; r++) {
      packed.set(hs.subarray(t * bh + r * h, t * bh + (r + 1) * h), (r * (t + 2) + t) * h);
      packed.set(cs.subarray(t * bh + r * h, t * bh + (r + 1) * h), (r * (t + 2) + t + 1) * h);
    }
    const value = tf.tensor3d(packed, [b, t + 2, h]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const dv = (Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy).dataSync() as Float32Array;
      const dh = new Float32Array(bh);
      const dc = new Float32Array(bh);
      for (let r = 0; r < b; r++) {
        dh.set(dv.subarray((r * (t + 2) + t) * h, (r * (t + 2) + t + 1) * h), r * h);
        dc.set(dv.subarray((r * (t + 2) + t + 1) * h, (r * (t + 2) + t + 2) * h), r * h);
      }
      const dG = new Float32Array(t * b * g4);
      const dxp = new Float32Array(b * t * g4);
      for (let k = t - 1; k >= 0; k--) {
        const i = reverse ? t - 1 - k : k;
        const prev = k * bh;
        for (let r = 0; r < b; r++) {
          const m = mv ? (mv[r * t + i] as number) : 1;
          const go = (k * b + r) * g4;
          const xo = (r * t + i) * g4;
          const oo = (r * (t + 2) + (byStep ? k : i)) * h;
          for (let j = 0; j < h; j++) {
            const s = r * h + j;
            const dOut = dv[oo + j] as number;
            const dhk = (dh[s] as number) + (carry ? dOut : 0);
            const dhn = m * dhk + (carry ? 0 : m * dOut);
            const dck = dc[s] as number;
            const ig = gates[go + j] as number;
            const fg = gates[go + h + j] as number;
            const gg = gates[go + 2 * h + j] as number;
            const og = gates[go + 3 * h + j] as number;
            const tc = tanhC[prev + s] as number;
            const cp = cs[prev + s] as number;
            const dct = m * dck + dhn * og * (1 - tc * tc);
            const dzi = dct * gg * gateGrad(ig, hard);
            const dzf = dct * cp * gateGrad(fg, hard);
            const dzg = dct * ig * (1 - gg * gg);
            const dzo = dhn * tc * gateGrad(og, hard);
            dG[go + j] = dzi;
            dG[go + h + j] = dzf;
            dG[go + 2 * h + j] = dzg;
            dG[go + 3 * h + j] = dzo;
            dxp[xo + j] = dzi;
            dxp[xo + h + j] = dzf;
            dxp[xo + 2 * h + j] = dzg;
            dxp[xo + 3 * h + j] = dzo;
            dc[s] = dct * fg + (1 - m) * dck;
            dh[s] = (1 - m) * dhk;
          }
        }
        const rec = gemm.mulT(dG.subarray(k * b * g4, (k + 1) * b * g4), b);
        for (let s = 0; s < bh; s++) dh[s] = (dh[s] as number) + (rec[s] as number);
      }
      gemm.dispose();
      return [
        tf.tensor3d(dxp, [b, t, g4]),
        matMulTN(hs.subarray(0, t * bh), h, dG, g4),
        tf.tensor2d(dh, [b, h]),
        tf.tensor2d(dc, [b, h]),
        tf.zeros(maskT.shape),
      ];
    };
    return { value, gradFunc };
  });
  // Intermediates are left to the caller's tidy: the tape may still refer to them.
  const packedOut = op(xp, recurrentKernel, h0, c0, mask) as tf.Tensor3D;
  const outputs = tf.slice(packedOut, [0, 0, 0], [b, t, h]);
  const hT = tf.reshape(tf.slice(packedOut, [0, t, 0], [b, 1, h]), [b, h]) as tf.Tensor2D;
  const cT = tf.reshape(tf.slice(packedOut, [0, t + 1, 0], [b, 1, h]), [b, h]) as tf.Tensor2D;
  return { outputs, h: hT, c: cT };
}
