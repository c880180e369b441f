/**
 * Continuous-output encoder–decoder for multi-step forecasting (exercise 2: Bi-LSTM encoder,
 * LSTM decoder with Bahdanau attention, 50 → 10 steps). The decoder's input is the previous
 * value — the gold one with probability `teacherForcingRatio`, else its own prediction — and its
 * output is dense(1) of tanh(W [context; h]).
 */
import * as tf from '@tensorflow/tfjs';
import { dense } from '../layers/common.ts';
import { type AttentionKind, type AttentionStep, makeAttention } from './attention-step.ts';
import { makeBridge } from './bridge.ts';
import { type Encoder, type EncoderOutput, rnnEncoder } from './encoders.ts';
import { type Rnn, type RnnKind, type RnnState, makeRnn } from './rnn.ts';
import { Model } from './model.ts';
import { type Rng, deriveSeed, rng as seededRng } from '../random.ts';
import type { NamedWeight } from './weights.ts';

/** Configuration of {@link Seq2SeqForecaster}; saved next to the weights. */
export interface ForecasterConfig {
  /** Steps to predict. */
  horizon: number;
  /** Features per input step (default 1). */
  inputDim?: number;
  /** Input feature that is the forecast series; its last value seeds the decoder (default 0). */
  targetFeature?: number;
  /** Units of each encoder direction and of the decoder (default 32). */
  units?: number;
  /** Encoder cell (default 'lstm'). */
  encoderCell?: RnnKind;
  /** Default true. */
  bidirectional?: boolean;
  /** Decoder cell (default 'lstm'). */
  cell?: RnnKind;
  /** Default 'additive' (Bahdanau). */
  attention?: AttentionKind;
  attentionUnits?: number;
  heads?: number;
  /** Default 1 (teacher forcing). */
  teacherForcingRatio?: number;
  /** Adam learning rate (default 0.005). */
  learningRate?: number;
  /** Global-norm gradient clip (default 5; 0 = off). */
  clipNorm?: number;
  seed: number;
}

/** Inputs (b, t, inputDim) and targets (b, horizon). */
export interface ForecastBatch {
  x: number[][][] | tf.Tensor3D;
  y: number[][] | tf.Tensor2D;
}

/** Predictions with the attention of every output step over the input steps. */
export interface Forecast {
  values: number[][];
  /** (b, horizon, t). */
  attention: number[][][];
}

const as3d = (x: number[][][] | tf.Tensor3D): tf.Tensor3D => (x instanceof tf.Tensor ? x.clone() : tf.tensor3d(x));
const as2d = (y: number[][] | tf.Tensor2D): tf.Tensor2D => (y instanceof tf.Tensor ? y.clone() : tf.tensor2d(y));

/** See the file comment. */
export class Seq2SeqForecaster extends Model<ForecasterConfig, ForecastBatch> {
  static readonly kind = 'forecaster';
  readonly kind = Seq2SeqForecaster.kind;
  /** May be changed between epochs (e.g. a decaying schedule). */
  teacherForcingRatio: number;
  private readonly encoder: Encoder;
  private readonly rnn: Rnn;
  private readonly attention: AttentionStep;
  private readonly bridge: (s: RnnState) => RnnState;
  private readonly combine: tf.Variable;
  private readonly outKernel: tf.Variable;
  private readonly outBias: tf.Variable;
  private readonly rng: Rng;

  constructor(config: ForecasterConfig) {
    super(config, { learningRate: config.learningRate ?? 0.005, clipNorm: config.clipNorm ?? 5 });
    this.teacherForcingRatio = config.teacherForcingRatio ?? 1;
    const units = config.units ?? 32;
    const cell = config.cell ?? 'lstm';
    this.encoder = rnnEncoder({
      inputDim: config.inputDim ?? 1, cell: config.encoderCell ?? 'lstm', units,
      bidirectional: config.bidirectional ?? true, seed: this.store.nextSeed(),
    });
    this.rnn = makeRnn(cell, units, { inputDim: 1, seed: this.store.nextSeed(), name: `decoder/${cell}` });
    this.bridge = makeBridge(this.store, 'bridge', this.encoder, cell, units);
    this.attention = makeAttention(config.attention ?? 'additive', {
      queryDim: units, keyDim: this.encoder.outputDim, units: config.attentionUnits, heads: config.heads ?? 4,
      seed: this.store.nextSeed(), name: 'decoder/attention',
    });
    this.combine = this.store.create('decoder/combine/kernel', [this.attention.contextDim + units, units]);
    this.outKernel = this.store.create('decoder/output/kernel', [units, 1]);
    this.outBias = this.store.create('decoder/output/bias', [1], 'zeros');
    this.rng = seededRng(deriveSeed(config.seed, 'teacher-forcing'));
  }

  /** Rebuild from a saved config (the kind registry's entry point). */
  static fromConfig(config: ForecasterConfig): Seq2SeqForecaster {
    return new Seq2SeqForecaster(config);
  }

  override weights(): NamedWeight[] {
    return [...this.encoder.weights(), ...this.store.weights(), ...this.rnn.weights(), ...this.attention.weights()];
  }

  /**
   * Run encoder and decoder. With `y` and `feedGold`, step t+1 of row i is fed y[i][t] where
   * feedGold[t][i], else the prediction (detached: no gradient flows through the fed value).
   */
  forward(x: tf.Tensor3D, y?: tf.Tensor2D, feedGold?: boolean[][]): { preds: tf.Tensor2D; attention: tf.Tensor3D } {
    return tf.tidy(() => {
      const enc: EncoderOutput = this.encoder.encode(x);
      const prepared = this.attention.prepare?.(enc.outputs);
      const [b, t] = enc.mask.shape;
      let state = this.bridge(enc.state);
      let attn = this.attention.initialState(b, t);
      const feature = this.config.targetFeature ?? 0;
      let prev = x.slice([0, x.shape[1] - 1, feature], [b, 1, 1]).reshape([b, 1]) as tf.Tensor2D;
      const golds = y ? (tf.unstack(y, 1).map((g) => g.reshape([b, 1])) as tf.Tensor2D[]) : [];
      const preds: tf.Tensor2D[] = [];
      const weights: tf.Tensor2D[] = [];
      for (let s = 0; s < this.config.horizon; s++) {
        state = this.rnn.step(prev, state);
        const h = state[0] as tf.Tensor2D;
        const att = this.attention.step(h, enc.outputs, enc.values, enc.mask, attn, prepared);
        attn = att.state;
        const features = this.attention.contextDim > 0 ? tf.concat([att.context, h], 1) : h;
        const pred = dense(tf.tanh(dense(features, this.combine)), this.outKernel, this.outBias) as tf.Tensor2D;
        preds.push(pred);
        weights.push(att.weights);
        const gold = golds[s];
        const coins = feedGold?.[s];
        if (!gold || (coins && coins.some((c) => !c))) {
          // Scheduled sampling feeds the value, not a path for gradients: copy it out of the tape.
          const own = tf.tensor2d(pred.dataSync() as Float32Array, [b, 1]);
          prev = gold && coins ? tf.where(tf.tensor2d(coins.map((c) => (c ? 1 : 0)), [b, 1], 'bool'), gold, own) : own;
        } else {
          prev = gold;
        }
      }
      return { preds: tf.concat(preds, 1) as tf.Tensor2D, attention: tf.stack(weights, 1) as tf.Tensor3D };
    });
  }

  /** Mean squared error over every predicted step. */
  loss(x: tf.Tensor3D, y: tf.Tensor2D, feedGold?: boolean[][]): tf.Scalar {
    return tf.tidy(() => tf.losses.meanSquaredError(y, this.forward(x, y, feedGold).preds) as tf.Scalar);
  }

  /** The training loss of a batch, with this batch's teacher-forcing coins. */
  protected batchLoss(batch: ForecastBatch): tf.Scalar {
    const x = as3d(batch.x);
    const y = as2d(batch.y);
    const ratio = this.teacherForcingRatio;
    const coins = ratio >= 1 ? undefined
      : Array.from({ length: this.config.horizon }, () => Array.from({ length: y.shape[0] }, () => this.rng.next() < ratio));
    return this.loss(x, y, coins);
  }

  /** Free-running MSE and MAE (no gold values fed), averaged over batches. */
  evaluate(batches: readonly ForecastBatch[]): { mse: number; mae: number } {
    let mse = 0;
    let mae = 0;
    for (const batch of batches) {
      const [m, a] = tf.tidy(() => {
        const y = as2d(batch.y);
        const { preds } = this.forward(as3d(batch.x));
        return [tf.losses.meanSquaredError(y, preds), tf.losses.absoluteDifference(y, preds)];
      });
      mse += m?.dataSync()[0] ?? NaN;
      mae += a?.dataSync()[0] ?? NaN;
      tf.dispose([m, a]);
    }
    const n = Math.max(batches.length, 1);
    return { mse: mse / n, mae: mae / n };
  }

  /** Free-running forecasts with their attention. */
  predict(x: number[][][] | tf.Tensor3D): Forecast {
    const input = as3d(x);
    const { preds, attention } = this.forward(input);
    const result = { values: preds.arraySync(), attention: attention.arraySync() };
    tf.dispose([input, preds, attention]);
    return result;
  }
}
