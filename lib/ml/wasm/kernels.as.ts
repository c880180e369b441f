/**
 * WebAssembly-SIMD kernels of the fused recurrences and of additive attention scores
 * (AssemblyScript, compiled by lib/ml/wasm/kernels.ts on first use and cached). Everything is float32, row-major, with
 * byte offsets into this module's memory as pointers; the host lays the buffers out, copies
 * the inputs in and the results out.
 *
 * Why here and not in JavaScript or through the tfjs backend: per timestep a recurrence needs
 * one small GEMM and a few thousand transcendental gate evaluations. Through tfjs each GEMM cost
 * a tensor round trip (~0.1–0.7 ms for 32×64·64×256) and the gate loops in JS ran at about 1 µs
 * per unit; here the same GEMM runs in ~40 µs and the gates four lanes at a time.
 *
 * Vector loops read whole 4-lane (GEMM: 8-lane) groups and write only the valid lanes, so a
 * dimension that is not a multiple of 4 reads up to 28 bytes past a row: the host pads every
 * buffer by at least 64 bytes.
 */

// ---------------------------------------------------------------------------------------------
// Lane helpers and activations

/** Address of float element `i` after `base`. */
@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

@inline function splat(x: f32): v128 {
  return f32x4.splat(x);
}

@inline function ld(p: usize): v128 {
  return v128.load(p);
}

/** Stores the first `n` lanes of `v` (all four when n ≥ 4). */
@inline function st(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (n > 1) v128.store32_lane(p, v, 1, 4);
  if (n > 2) v128.store32_lane(p, v, 2, 8);
}

/**
 * e^x per lane: Cody–Waite range reduction x = k·ln2 + r and Cephes' degree-7 expf polynomial
 * (about 1 ulp); x is clamped to [-87, 88], where 2^k stays a normal float. k is rounded by
 * adding 1.5·2²³ (its integer then sits in the low mantissa bits), and pmin/pmax clamp: both
 * single instructions on x64, where f32x4.nearest/min/max and the saturating conversion are not.
 */
@inline function expv(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, splat(-87.0)), splat(88.0));
  const shifted = f32x4.add(f32x4.mul(x, splat(1.44269504088896341)), splat(12582912.0));
  const k = f32x4.sub(shifted, splat(12582912.0));
  const r = f32x4.add(f32x4.sub(x, f32x4.mul(k, splat(0.693359375))), f32x4.mul(k, splat(2.12194440e-4)));
  let p = splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), splat(1.0));
  // The integer k is the bit pattern of `shifted` minus that of 1.5·2²³ (0x4B400000).
  const scale = i32x4.shl(i32x4.add(i32x4.sub(shifted, i32x4.splat(0x4B400000)), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

@inline function sigmoidv(x: v128): v128 {
  return f32x4.div(splat(1.0), f32x4.add(splat(1.0), expv(f32x4.neg(x))));
}

/** tanh x = 1 − 2 / (e^{2x} + 1): saturates cleanly at both ends; absolute error ~1e-7. */
@inline function tanhv(x: v128): v128 {
  return f32x4.sub(splat(1.0), f32x4.div(splat(2.0), f32x4.add(expv(f32x4.add(x, x)), splat(1.0))));
}

/** Gate activation: tfjs' hardSigmoid clip(0.2x + 0.5, 0, 1), or the logistic sigmoid. */
@inline function gatev(x: v128, hard: bool): v128 {
  if (hard) return f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(x, splat(0.2)), splat(0.5)), splat(0.0)), splat(1.0));
  return sigmoidv(x);
}

/** Derivative of {@link gatev} from its output y (hardSigmoid: 0.2 strictly inside the clip). */
@inline function gateGradv(y: v128, hard: bool): v128 {
  if (hard) return v128.and(v128.and(f32x4.gt(y, splat(0.0)), f32x4.lt(y, splat(1.0))), splat(0.2));
  return f32x4.mul(y, f32x4.sub(splat(1.0), y));
}

/** 1 − y², the derivative of tanh from its output. */
@inline function tanhGradv(y: v128): v128 {
  return f32x4.sub(splat(1.0), f32x4.mul(y, y));
}

// ---------------------------------------------------------------------------------------------
// GEMM

/**
 * C (m × n) = A · B, or C += A · B when `acc` ≠ 0. A[i][p] is at `a + 4·(i·ars + p·acs)` (so a
 * transposed A is ars = 1, acs = its row length), B[p][j] at `b + 4·(p·ldb + j)`, C[i][j] at
 * `c + 4·(i·ldc + j)`. A 4 × 8 register tile; edge tiles compute the full tile from clamped rows
 * and store only the valid part.
 */
export function gemm(a: usize, ars: i32, acs: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32, acc: i32): void {
  const aStep = <usize>acs << 2;
  const bStep = <usize>ldb << 2;
  // Column panels outside, row tiles inside: one k × 8 panel of B stays in L1 while every row
  // tile of A passes over it (B is the larger operand in the recurrences' step products).
  for (let j = 0; j < n; j += 8) {
    const cols = min(8, n - j);
    const o = <usize>j << 2;
    for (let i = 0; i < m; i += 4) {
      const rows = min(4, m - i);
      const i1 = min(i + 1, m - 1);
      const i2 = min(i + 2, m - 1);
      const i3 = min(i + 3, m - 1);
      const a0 = at(a, i * ars);
      const a1 = at(a, i1 * ars);
      const a2 = at(a, i2 * ars);
      const a3 = at(a, i3 * ars);
      const c0 = at(c, i * ldc);
      const c1 = at(c, i1 * ldc);
      const c2 = at(c, i2 * ldc);
      const c3 = at(c, i3 * ldc);
      let s00 = splat(0), s01 = splat(0), s10 = splat(0), s11 = splat(0);
      let s20 = splat(0), s21 = splat(0), s30 = splat(0), s31 = splat(0);
      let pb = at(b, j);
      let pa = <usize>0;
      for (let p = 0; p < k; p++) {
        const w0 = v128.load(pb);
        const w1 = v128.load(pb, 16);
        const x0 = v128.load32_splat(a0 + pa);
        const x1 = v128.load32_splat(a1 + pa);
        const x2 = v128.load32_splat(a2 + pa);
        const x3 = v128.load32_splat(a3 + pa);
        s00 = f32x4.add(s00, f32x4.mul(x0, w0));
        s01 = f32x4.add(s01, f32x4.mul(x0, w1));
        s10 = f32x4.add(s10, f32x4.mul(x1, w0));
        s11 = f32x4.add(s11, f32x4.mul(x1, w1));
        s20 = f32x4.add(s20, f32x4.mul(x2, w0));
        s21 = f32x4.add(s21, f32x4.mul(x2, w1));
        s30 = f32x4.add(s30, f32x4.mul(x3, w0));
        s31 = f32x4.add(s31, f32x4.mul(x3, w1));
        pb += bStep;
        pa += aStep;
      }
      if (acc != 0) {
        s00 = f32x4.add(s00, v128.load(c0 + o));
        s01 = f32x4.add(s01, v128.load(c0 + o, 16));
        s10 = f32x4.add(s10, v128.load(c1 + o));
        s11 = f32x4.add(s11, v128.load(c1 + o, 16));
        s20 = f32x4.add(s20, v128.load(c2 + o));
        s21 = f32x4.add(s21, v128.load(c2 + o, 16));
        s30 = f32x4.add(s30, v128.load(c3 + o));
        s31 = f32x4.add(s31, v128.load(c3 + o, 16));
      }
      if (rows == 4 && cols == 8) {
        v128.store(c0 + o, s00);
        v128.store(c0 + o, s01, 16);
        v128.store(c1 + o, s10);
        v128.store(c1 + o, s11, 16);
        v128.store(c2 + o, s20);
        v128.store(c2 + o, s21, 16);
        v128.store(c3 + o, s30);
        v128.store(c3 + o, s31, 16);
      } else {
        if (rows > 3) storeRow(c3 + o, s30, s31, cols);
        if (rows > 2) storeRow(c2 + o, s20, s21, cols);
        if (rows > 1) storeRow(c1 + o, s10, s11, cols);
        storeRow(c0 + o, s00, s01, cols);
      }
    }
  }
}

@inline function storeRow(p: usize, lo: v128, hi: v128, cols: i32): void {
  st(p, lo, cols);
  if (cols > 4) st(p + 16, hi, cols - 4);
}

/** dst (cols × rows) = srcᵀ for src (rows × cols) with row stride `ld`. */
export function transpose(src: usize, rows: i32, cols: i32, ld: i32, dst: usize): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) store<f32>(at(dst, j * rows + i), load<f32>(at(src, i * ld + j)));
  }
}

/** Every one of `rows` rows of dst (row length n) = src (n). */
export function broadcastRows(dst: usize, src: usize, rows: i32, n: i32): void {
  const bytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) memory.copy(at(dst, r * n), src, bytes);
}

/** dst (n) = Σ over the rows of src (rows × n). */
export function colSums(src: usize, rows: i32, n: i32, dst: usize): void {
  memory.fill(dst, 0, <usize>n << 2);
  for (let r = 0; r < rows; r++) {
    const row = at(src, r * n);
    for (let j = 0; j < n; j += 4) {
      const q = <usize>j << 2;
      st(dst + q, f32x4.add(ld(dst + q), ld(row + q)), min(4, n - j));
    }
  }
}

/** dst[i] = tanh(src[i]) for n floats (dst may be src). */
export function tanhArray(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const q = <usize>i << 2;
    st(dst + q, tanhv(ld(src + q)), min(4, n - i));
  }
}

/** dst[i] = σ(src[i]) for n floats (dst may be src). */
export function sigmoidArray(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const q = <usize>i << 2;
    st(dst + q, sigmoidv(ld(src + q)), min(4, n - i));
  }
}

// ---------------------------------------------------------------------------------------------
// Flags shared by the recurrences

const HARD = 1; // hardSigmoid gates (else sigmoid)
const REVERSE = 2; // walk from the last step to the first
const CARRY = 4; // a padded step outputs the carried state (else zero)
const BY_STEP = 8; // outputs in processing order (else at their time index)

@inline function timeIndex(k: i32, t: i32, flags: i32): i32 {
  return flags & REVERSE ? t - 1 - k : k;
}

@inline function outIndex(k: i32, i: i32, flags: i32): i32 {
  return flags & BY_STEP ? k : i;
}

@inline function maskAt(mask: usize, r: i32, t: i32, i: i32): f32 {
  return mask == 0 ? <f32>1.0 : load<f32>(at(mask, r * t + i));
}

// ---------------------------------------------------------------------------------------------
// LSTM (Keras gate order i, f, c, o)

/**
 * Forward pass over a projected sequence. Inputs: xp (b, t, 4h), u (h, 4h), hs[0] and cs[0]
 * (the initial state), mask (b, t) or 0. Saves for the backward pass: hs / cs ((t + 1), b, h),
 * the states entering each step in processing order; gates (t, b, 4h), activated; tanhC
 * (t, b, h). Output: out (b, t + 2, h), step outputs then the final h and c.
 */
export function lstmForward(xp: usize, u: usize, hs: usize, cs: usize, gates: usize, tanhC: usize, out: usize, mask: usize, b: i32, t: i32, h: i32, flags: i32): void {
  const hard = (flags & HARD) != 0;
  const carry = (flags & CARRY) != 0;
  const g4 = 4 * h;
  const bh = b * h;
  const hb = <usize>h << 2;
  for (let k = 0; k < t; k++) {
    const i = timeIndex(k, t, flags);
    const hp0 = at(hs, k * bh);
    const cp0 = at(cs, k * bh);
    const gk = at(gates, k * b * g4);
    gemm(hp0, h, 1, u, g4, gk, g4, b, h, g4, 0);
    for (let r = 0; r < b; r++) {
      const m = maskAt(mask, r, t, i);
      const mv = splat(m);
      const om = splat(1 - m);
      const x = at(xp, (r * t + i) * g4);
      const g = at(gk, r * g4);
      const hp = at(hp0, r * h);
      const cp = at(cp0, r * h);
      const hn = hp + (<usize>bh << 2);
      const cn = cp + (<usize>bh << 2);
      const tc = at(tanhC, (k * b + r) * h);
      const o = at(out, (r * (t + 2) + outIndex(k, i, flags)) * h);
      for (let j = 0; j < h; j += 4) {
        const n = min(4, h - j);
        const q = <usize>j << 2;
        const ig = gatev(f32x4.add(ld(x + q), ld(g + q)), hard);
        const fg = gatev(f32x4.add(ld(x + hb + q), ld(g + hb + q)), hard);
        const gg = tanhv(f32x4.add(ld(x + 2 * hb + q), ld(g + 2 * hb + q)));
        const og = gatev(f32x4.add(ld(x + 3 * hb + q), ld(g + 3 * hb + q)), hard);
        const cPrev = ld(cp + q);
        const hPrev = ld(hp + q);
        const c = f32x4.add(f32x4.mul(fg, cPrev), f32x4.mul(ig, gg));
        const tcv = tanhv(c);
        const hv = f32x4.mul(og, tcv);
        st(g + q, ig, n);
        st(g + hb + q, fg, n);
        st(g + 2 * hb + q, gg, n);
        st(g + 3 * hb + q, og, n);
        st(tc + q, tcv, n);
        const hNew = f32x4.add(f32x4.mul(mv, hv), f32x4.mul(om, hPrev));
        st(cn + q, f32x4.add(f32x4.mul(mv, c), f32x4.mul(om, cPrev)), n);
        st(hn + q, hNew, n);
        st(o + q, carry ? hNew : f32x4.mul(mv, hv), n);
      }
    }
  }
  for (let r = 0; r < b; r++) {
    memory.copy(at(out, (r * (t + 2) + t) * h), at(hs, t * bh + r * h), hb);
    memory.copy(at(out, (r * (t + 2) + t + 1) * h), at(cs, t * bh + r * h), hb);
  }
}

/**
 * Backward pass. Inputs: dv (b, t + 2, h), the gradient of `out`; the saved hs, cs, gates,
 * tanhC; uT (4h, h) = uᵀ; mask. Outputs: dG (t, b, 4h) and dxp (b, t, 4h), the gradient of the
 * gate pre-activations in processing and in input order; dh / dc (b, h), the gradient of the
 * initial state; dU (h, 4h).
 */
export function lstmBackward(dv: usize, hs: usize, cs: usize, gates: usize, tanhC: usize, uT: usize, mask: usize, dG: usize, dxp: usize, dh: usize, dc: usize, dU: usize, b: i32, t: i32, h: i32, flags: i32): void {
  const hard = (flags & HARD) != 0;
  const carry = (flags & CARRY) != 0;
  const g4 = 4 * h;
  const bh = b * h;
  const hb = <usize>h << 2;
  for (let r = 0; r < b; r++) {
    memory.copy(at(dh, r * h), at(dv, (r * (t + 2) + t) * h), hb);
    memory.copy(at(dc, r * h), at(dv, (r * (t + 2) + t + 1) * h), hb);
  }
  for (let k = t - 1; k >= 0; k--) {
    const i = timeIndex(k, t, flags);
    const dGk = at(dG, k * b * g4);
    for (let r = 0; r < b; r++) {
      const m = maskAt(mask, r, t, i);
      const mv = splat(m);
      const om = splat(1 - m);
      const dOut = at(dv, (r * (t + 2) + outIndex(k, i, flags)) * h);
      const g = at(gates, (k * b + r) * g4);
      const tc = at(tanhC, (k * b + r) * h);
      const cp = at(cs, k * bh + r * h);
      const dhr = at(dh, r * h);
      const dcr = at(dc, r * h);
      const d = at(dGk, r * g4);
      const dx = at(dxp, (r * t + i) * g4);
      for (let j = 0; j < h; j += 4) {
        const n = min(4, h - j);
        const q = <usize>j << 2;
        const dOutv = ld(dOut + q);
        const dhk = carry ? f32x4.add(ld(dhr + q), dOutv) : ld(dhr + q);
        const dhn = carry ? f32x4.mul(mv, dhk) : f32x4.mul(mv, f32x4.add(dhk, dOutv));
        const dck = ld(dcr + q);
        const ig = ld(g + q);
        const fg = ld(g + hb + q);
        const gg = ld(g + 2 * hb + q);
        const og = ld(g + 3 * hb + q);
        const tcv = ld(tc + q);
        const dct = f32x4.add(f32x4.mul(mv, dck), f32x4.mul(f32x4.mul(dhn, og), tanhGradv(tcv)));
        const dzi = f32x4.mul(f32x4.mul(dct, gg), gateGradv(ig, hard));
        const dzf = f32x4.mul(f32x4.mul(dct, ld(cp + q)), gateGradv(fg, hard));
        const dzg = f32x4.mul(f32x4.mul(dct, ig), tanhGradv(gg));
        const dzo = f32x4.mul(f32x4.mul(dhn, tcv), gateGradv(og, hard));
        st(d + q, dzi, n);
        st(d + hb + q, dzf, n);
        st(d + 2 * hb + q, dzg, n);
        st(d + 3 * hb + q, dzo, n);
        st(dx + q, dzi, n);
        st(dx + hb + q, dzf, n);
        st(dx + 2 * hb + q, dzg, n);
        st(dx + 3 * hb + q, dzo, n);
        st(dcr + q, f32x4.add(f32x4.mul(dct, fg), f32x4.mul(om, dck)), n);
        st(dhr + q, f32x4.mul(om, dhk), n);
      }
    }
    gemm(dGk, g4, 1, uT, h, dh, h, b, g4, h, 1);
  }
  gemm(hs, 1, h, dG, g4, dU, g4, h, t * b, g4, 0);
}

// ---------------------------------------------------------------------------------------------
// Elman RNN: h' = tanh(xp + h·U)

/**
 * Forward pass. Inputs: xp (b, t, h), u (h, h), hs[0], mask (b, t) or 0. Saves: hs ((t + 1), b, h)
 * and acts (t, b, h) = tanh(xp + h·U) (what a padded step would have output). Output: out
 * (b, t + 1, h), step outputs then the final state.
 */
export function rnnForward(xp: usize, u: usize, hs: usize, acts: usize, out: usize, mask: usize, b: i32, t: i32, h: i32, flags: i32): void {
  const carry = (flags & CARRY) != 0;
  const bh = b * h;
  const hb = <usize>h << 2;
  for (let k = 0; k < t; k++) {
    const i = timeIndex(k, t, flags);
    const hp0 = at(hs, k * bh);
    const ak = at(acts, k * bh);
    gemm(hp0, h, 1, u, h, ak, h, b, h, h, 0);
    for (let r = 0; r < b; r++) {
      const m = maskAt(mask, r, t, i);
      const mv = splat(m);
      const om = splat(1 - m);
      const x = at(xp, (r * t + i) * h);
      const a = at(ak, r * h);
      const hp = at(hp0, r * h);
      const hn = hp + (<usize>bh << 2);
      const o = at(out, (r * (t + 1) + outIndex(k, i, flags)) * h);
      for (let j = 0; j < h; j += 4) {
        const n = min(4, h - j);
        const q = <usize>j << 2;
        const av = tanhv(f32x4.add(ld(x + q), ld(a + q)));
        const hNew = f32x4.add(f32x4.mul(mv, av), f32x4.mul(om, ld(hp + q)));
        st(a + q, av, n);
        st(hn + q, hNew, n);
        st(o + q, carry ? hNew : f32x4.mul(mv, av), n);
      }
    }
  }
  for (let r = 0; r < b; r++) memory.copy(at(out, (r * (t + 1) + t) * h), at(hs, t * bh + r * h), hb);
}

/**
 * Backward pass. Inputs: dv (b, t + 1, h); the saved hs and acts; uT (h, h) = uᵀ; mask. Outputs:
 * dA (t, b, h) and dxp (b, t, h), the pre-activation gradient in processing and input order;
 * dh (b, h), the initial state's gradient; dU (h, h).
 */
export function rnnBackward(dv: usize, hs: usize, acts: usize, uT: usize, mask: usize, dA: usize, dxp: usize, dh: usize, dU: usize, b: i32, t: i32, h: i32, flags: i32): void {
  const carry = (flags & CARRY) != 0;
  const bh = b * h;
  const hb = <usize>h << 2;
  for (let r = 0; r < b; r++) memory.copy(at(dh, r * h), at(dv, (r * (t + 1) + t) * h), hb);
  for (let k = t - 1; k >= 0; k--) {
    const i = timeIndex(k, t, flags);
    const dAk = at(dA, k * bh);
    for (let r = 0; r < b; r++) {
      const m = maskAt(mask, r, t, i);
      const mv = splat(m);
      const om = splat(1 - m);
      const dOut = at(dv, (r * (t + 1) + outIndex(k, i, flags)) * h);
      const a = at(acts, k * bh + r * h);
      const dhr = at(dh, r * h);
      const d = at(dAk, r * h);
      const dx = at(dxp, (r * t + i) * h);
      for (let j = 0; j < h; j += 4) {
        const n = min(4, h - j);
        const q = <usize>j << 2;
        const dOutv = ld(dOut + q);
        const dhk = carry ? f32x4.add(ld(dhr + q), dOutv) : ld(dhr + q);
        const dhn = carry ? f32x4.mul(mv, dhk) : f32x4.mul(mv, f32x4.add(dhk, dOutv));
        const dz = f32x4.mul(dhn, tanhGradv(ld(a + q)));
        st(d + q, dz, n);
        st(dx + q, dz, n);
        st(dhr + q, f32x4.mul(om, dhk), n);
      }
    }
    gemm(dAk, h, 1, uT, h, dh, h, b, h, h, 1);
  }
  gemm(hs, 1, h, dA, h, dU, h, h, t * b, h, 0);
}

// ---------------------------------------------------------------------------------------------
// GRU (tfjs' GRUCell: reset gate before the recurrent product, gate order z, r, h)

/**
 * Forward pass. Inputs: xp (b, t, 3h), u (h, 3h), hs[0], mask (b, t) or 0. Saves: hs
 * ((t + 1), b, h); rhs (t, b, h) = r∘h, the left factor of dUh; gates (t, b, 3h) = z, r, ĥ.
 * Output: out (b, t + 1, h), step outputs then the final state.
 */
export function gruForward(xp: usize, u: usize, hs: usize, rhs: usize, gates: usize, out: usize, mask: usize, b: i32, t: i32, h: i32, flags: i32): void {
  const hard = (flags & HARD) != 0;
  const carry = (flags & CARRY) != 0;
  const g3 = 3 * h;
  const bh = b * h;
  const hb = <usize>h << 2;
  for (let k = 0; k < t; k++) {
    const i = timeIndex(k, t, flags);
    const hp0 = at(hs, k * bh);
    const gk = at(gates, k * b * g3);
    const rk = at(rhs, k * bh);
    gemm(hp0, h, 1, u, g3, gk, g3, b, h, 2 * h, 0);
    for (let r = 0; r < b; r++) {
      const x = at(xp, (r * t + i) * g3);
      const g = at(gk, r * g3);
      const hp = at(hp0, r * h);
      const rh = at(rk, r * h);
      for (let j = 0; j < h; j += 4) {
        const n = min(4, h - j);
        const q = <usize>j << 2;
        const zg = gatev(f32x4.add(ld(x + q), ld(g + q)), hard);
        const rg = gatev(f32x4.add(ld(x + hb + q), ld(g + hb + q)), hard);
        st(g + q, zg, n);
        st(g + hb + q, rg, n);
        st(rh + q, f32x4.mul(rg, ld(hp + q)), n);
      }
    }
    gemm(rk, h, 1, u + 2 * hb, g3, gk + 2 * hb, g3, b, h, h, 0);
    for (let r = 0; r < b; r++) {
      const m = maskAt(mask, r, t, i);
      const mv = splat(m);
      const om = splat(1 - m);
      const x = at(xp, (r * t + i) * g3);
      const g = at(gk, r * g3);
      const hp = at(hp0, r * h);
      const hn = hp + (<usize>bh << 2);
      const o = at(out, (r * (t + 1) + outIndex(k, i, flags)) * h);
      for (let j = 0; j < h; j += 4) {
        const n = min(4, h - j);
        const q = <usize>j << 2;
        const hh = tanhv(f32x4.add(ld(x + 2 * hb + q), ld(g + 2 * hb + q)));
        const zg = ld(g + q);
        const hPrev = ld(hp + q);
        const hv = f32x4.add(f32x4.mul(zg, hPrev), f32x4.mul(f32x4.sub(splat(1.0), zg), hh));
        st(g + 2 * hb + q, hh, n);
        const hNew = f32x4.add(f32x4.mul(mv, hv), f32x4.mul(om, hPrev));
        st(hn + q, hNew, n);
        st(o + q, carry ? hNew : f32x4.mul(mv, hv), n);
      }
    }
  }
  for (let r = 0; r < b; r++) memory.copy(at(out, (r * (t + 1) + t) * h), at(hs, t * bh + r * h), hb);
}

/**
 * Backward pass. Inputs: dv (b, t + 1, h); the saved hs, rhs, gates; uT (3h, h) = uᵀ (its first
 * 2h rows are [Uz Ur]ᵀ, the last h rows Uhᵀ); mask. Outputs: dG (t, b, 3h), dxp (b, t, 3h),
 * dh (b, h) (the initial state's gradient), dU (h, 3h). Scratch: dz and drh, (b, h) each.
 */
export function gruBackward(dv: usize, hs: usize, rhs: usize, gates: usize, uT: usize, mask: usize, dG: usize, dxp: usize, dh: usize, dz: usize, drh: usize, dU: usize, b: i32, t: i32, h: i32, flags: i32): void {
  const hard = (flags & HARD) != 0;
  const carry = (flags & CARRY) != 0;
  const g3 = 3 * h;
  const bh = b * h;
  const hb = <usize>h << 2;
  for (let r = 0; r < b; r++) memory.copy(at(dh, r * h), at(dv, (r * (t + 1) + t) * h), hb);
  for (let k = t - 1; k >= 0; k--) {
    const i = timeIndex(k, t, flags);
    const dGk = at(dG, k * b * g3);
    for (let r = 0; r < b; r++) {
      const m = maskAt(mask, r, t, i);
      const mv = splat(m);
      const om = splat(1 - m);
      const dOut = at(dv, (r * (t + 1) + outIndex(k, i, flags)) * h);
      const g = at(gates, (k * b + r) * g3);
      const hp = at(hs, k * bh + r * h);
      const dhr = at(dh, r * h);
      const dzr = at(dz, r * h);
      const d = at(dGk, r * g3);
      const dx = at(dxp, (r * t + i) * g3);
      for (let j = 0; j < h; j += 4) {
        const n = min(4, h - j);
        const q = <usize>j << 2;
        const dOutv = ld(dOut + q);
        const dhk = carry ? f32x4.add(ld(dhr + q), dOutv) : ld(dhr + q);
        const dhn = carry ? f32x4.mul(mv, dhk) : f32x4.mul(mv, f32x4.add(dhk, dOutv));
        const zg = ld(g + q);
        const hh = ld(g + 2 * hb + q);
        st(dzr + q, f32x4.mul(dhn, f32x4.sub(ld(hp + q), hh)), n);
        const dzh = f32x4.mul(f32x4.mul(dhn, f32x4.sub(splat(1.0), zg)), tanhGradv(hh));
        st(d + 2 * hb + q, dzh, n);
        st(dx + 2 * hb + q, dzh, n);
        st(dhr + q, f32x4.add(f32x4.mul(om, dhk), f32x4.mul(dhn, zg)), n);
      }
    }
    // d(r∘h) = dĥpre · Uhᵀ
    gemm(dGk + 2 * hb, g3, 1, at(uT, 2 * h * h), h, drh, h, b, h, h, 0);
    for (let r = 0; r < b; r++) {
      const g = at(gates, (k * b + r) * g3);
      const hp = at(hs, k * bh + r * h);
      const dhr = at(dh, r * h);
      const dzr = at(dz, r * h);
      const dr = at(drh, r * h);
      const d = at(dGk, r * g3);
      const dx = at(dxp, (r * t + i) * g3);
      for (let j = 0; j < h; j += 4) {
        const n = min(4, h - j);
        const q = <usize>j << 2;
        const rg = ld(g + hb + q);
        const drv = ld(dr + q);
        const dzrv = f32x4.mul(f32x4.mul(drv, ld(hp + q)), gateGradv(rg, hard));
        const dzzv = f32x4.mul(ld(dzr + q), gateGradv(ld(g + q), hard));
        st(dhr + q, f32x4.add(ld(dhr + q), f32x4.mul(drv, rg)), n);
        st(d + q, dzzv, n);
        st(d + hb + q, dzrv, n);
        st(dx + q, dzzv, n);
        st(dx + hb + q, dzrv, n);
      }
    }
    // dh += [dz dr]pre · [Uz Ur]ᵀ
    gemm(dGk, g3, 1, uT, h, dh, h, b, 2 * h, h, 1);
  }
  gemm(hs, 1, h, dG, g3, dU, g3, h, t * b, 2 * h, 0);
  gemm(rhs, 1, h, dG + 2 * hb, g3, dU + 2 * hb, g3, h, t * b, h, 0);
}

// ---------------------------------------------------------------------------------------------
// Additive attention scores s[b][i][j] = Σ_u v_u · tanh(q[b][i][u] + k[b][j][u])

/** All-ones in the lanes below `n` (n < 4), zero above: masks a row's tail out of a sum. */
@inline function laneMask(n: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(n));
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * Forward: q (B, tq, U) and k (B, tk, U) are the projected query and keys (bias included), v (U);
 * out (B, tq, tk). The (B, tq, tk, U) tanh tensor is never stored: the backward pass recomputes it.
 */
export function additiveScores(q: usize, k: usize, v: usize, out: usize, nb: i32, tq: i32, tk: i32, u: i32): void {
  const tail = laneMask(u & 3);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < tq; i++) {
      const qr = at(q, (b * tq + i) * u);
      const o = at(out, (b * tq + i) * tk);
      for (let j = 0; j < tk; j++) {
        const kr = at(k, (b * tk + j) * u);
        let acc = splat(0);
        for (let c = 0; c < u; c += 4) {
          const p = <usize>c << 2;
          let term = f32x4.mul(ld(v + p), tanhv(f32x4.add(ld(qr + p), ld(kr + p))));
          if (c + 4 > u) term = v128.and(term, tail);
          acc = f32x4.add(acc, term);
        }
        store<f32>(at(o, j), hsum(acc));
      }
    }
  }
}

/**
 * Backward of {@link additiveScores}: ds (B, tq, tk) in; dq (B, tq, U), dk (B, tk, U), dv (U) out
 * (overwritten). With t = tanh(q_i + k_j) and g = ds_ij · v ∘ (1 − t²): dq_i += g, dk_j += g,
 * dv += ds_ij · t.
 */
export function additiveScoresBackward(q: usize, k: usize, v: usize, ds: usize, dq: usize, dk: usize, dv: usize, nb: i32, tq: i32, tk: i32, u: i32): void {
  memory.fill(dq, 0, <usize>(nb * tq * u) << 2);
  memory.fill(dk, 0, <usize>(nb * tk * u) << 2);
  memory.fill(dv, 0, <usize>u << 2);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < tq; i++) {
      const qr = at(q, (b * tq + i) * u);
      const dqr = at(dq, (b * tq + i) * u);
      const dsr = at(ds, (b * tq + i) * tk);
      for (let j = 0; j < tk; j++) {
        const kr = at(k, (b * tk + j) * u);
        const dkr = at(dk, (b * tk + j) * u);
        const g = splat(load<f32>(at(dsr, j)));
        for (let c = 0; c < u; c += 4) {
          const n = min(4, u - c);
          const p = <usize>c << 2;
          const t = tanhv(f32x4.add(ld(qr + p), ld(kr + p)));
          const gt = f32x4.mul(f32x4.mul(g, ld(v + p)), tanhGradv(t));
          st(dqr + p, f32x4.add(ld(dqr + p), gt), n);
          st(dkr + p, f32x4.add(ld(dkr + p), gt), n);
          st(dv + p, f32x4.add(ld(dv + p), f32x4.mul(g, t)), n);
        }
      }
    }
  }
}

/** First free byte after the module's static data: where the host may start its buffers. */
export function heapBase(): usize {
  return __heap_base;
}
