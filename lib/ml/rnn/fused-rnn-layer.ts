/**
 * Shared body of {@link FusedLSTM} and {@link FusedGRU}: argument checks, weights, masks,
 * initial state, `goBackwards`, `returnSequences`/`returnState` and the serialised form.
 *
 * The config is the stock layer's own `getConfig()` (a stock tf.layers.lstm/gru is built from
 * the same args, never called), so a saved FusedLSTM config loads into tf.layers.lstm and vice
 * versa, and the weights keep the stock names and order: kernel, recurrent_kernel, bias.
 */
import * as tf from '@tensorflow/tfjs';
import { isRecurrentActivation } from './activations.ts';

/** Constructor options every tfjs layer accepts (name, trainable, inputShape…). */
type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** A tfjs initializer instance. */
export type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** Initialiser as accepted by tf.layers.lstm/gru: a name, a serialised dict or an instance. */
export type InitializerArg = NonNullable<Parameters<typeof tf.layers.lstm>[0]['kernelInitializer']>;

/** Arguments shared by the fused layers; the names and defaults of tf.layers.lstm/gru. */
export interface FusedRnnArgs extends BaseLayerArgs {
  units: number;
  /** Only 'tanh' is fused. */
  activation?: string;
  /** 'hardSigmoid' (tfjs' default) or 'sigmoid'. */
  recurrentActivation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerArg;
  recurrentInitializer?: InitializerArg;
  biasInitializer?: InitializerArg;
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  /** Must be 0: dropout is not fused. */
  dropout?: number;
  /** Must be 0: recurrent dropout is not fused. */
  recurrentDropout?: number;
  /** Must be false. */
  stateful?: boolean;
  /** Accepted and ignored (tfjs ignores it too). */
  implementation?: number;
  /** Accepted and ignored: the fused loop is never unrolled. */
  unroll?: boolean;
  /** Other stock keys; regularisers and constraints must be null/absent (see UNSUPPORTED). */
  [key: string]: unknown;
}

/** Stock options the fused layers do not implement: rejected unless null, never ignored. */
const UNSUPPORTED = [
  'kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer', 'activityRegularizer',
  'kernelConstraint', 'recurrentConstraint', 'biasConstraint',
] as const;

/** What the base needs from a stock cell to create identical weights. */
interface StockCell {
  kernelInitializer: Initializer;
  recurrentInitializer: Initializer;
  biasInitializer?: Initializer;
  useBias: boolean;
}

/** The whole layer as one op: input projection (kernel, bias) and recurrence; per cell kind. */
export interface FusedRecurrence {
  (x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D | undefined, recurrentKernel: tf.Tensor2D, initial: tf.Tensor2D[], mask: tf.Tensor2D | undefined, goBackwards: boolean): {
    outputs: tf.Tensor3D;
    states: tf.Tensor2D[];
  };
}

/** Base class of the fused recurrent layers. */
export abstract class FusedRnnLayer extends tf.layers.Layer {
  readonly units: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly recurrentActivation: string;
  protected readonly stock: tf.layers.Layer;
  protected kernel?: tf.LayerVariable;
  protected recurrentKernel?: tf.LayerVariable;
  protected bias?: tf.LayerVariable;

  constructor(args: FusedRnnArgs, kind: 'lstm' | 'gru', protected readonly gates: number) {
    super(args);
    const name = kind === 'lstm' ? 'FusedLSTM' : 'FusedGRU';
    if ((args.activation ?? 'tanh') !== 'tanh') throw new Error(`${name}: only activation 'tanh' is fused, got '${args.activation}'`);
    const ra = args.recurrentActivation ?? 'hardSigmoid';
    if (!isRecurrentActivation(ra)) throw new Error(`${name}: recurrentActivation must be 'sigmoid' or 'hardSigmoid', got '${ra}'`);
    if ((args.dropout ?? 0) !== 0 || (args.recurrentDropout ?? 0) !== 0) throw new Error(`${name}: dropout is not supported by the fused kernels`);
    if (args.stateful === true) throw new Error(`${name}: stateful is not supported`);
    for (const key of UNSUPPORTED) {
      if (args[key] != null) throw new Error(`${name}: ${key} is not supported by the fused kernels`);
    }
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.recurrentActivation = ra;
    this.supportsMasking = true;
    const { name: _n, inputShape: _i, batchInputShape: _b, batchSize: _s, ...stockArgs } = args;
    this.stock = kind === 'lstm'
      ? tf.layers.lstm(stockArgs as Parameters<typeof tf.layers.lstm>[0])
      : tf.layers.gru(stockArgs as Parameters<typeof tf.layers.gru>[0]);
  }

  /** Number of state tensors (1 for a GRU, 2 for an LSTM). */
  protected abstract get stateCount(): number;

  /** The fused recurrence over the projected input. */
  protected abstract recurrence(): FusedRecurrence;

  /** Bias initial value when it is not plain `biasInitializer` (LSTM's unitForgetBias). */
  protected initialBias(_init: Initializer): tf.Tensor1D | undefined {
    return undefined;
  }

  /** Like RNN.states of a non-stateful layer (tf.layers.bidirectional reads its length). */
  get states(): null[] {
    return Array.from({ length: this.stateCount }, () => null);
  }

  private get cell(): StockCell {
    return (this.stock as unknown as { cell: StockCell }).cell;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = shape[shape.length - 1];
    if (d == null) throw new Error(`${this.getClassName()}: the last input dimension must be known`);
    const gh = this.gates * this.units;
    const cell = this.cell;
    this.kernel = this.addWeight('kernel', [d, gh], 'float32', cell.kernelInitializer);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, gh], 'float32', cell.recurrentInitializer);
    if (cell.useBias && cell.biasInitializer) {
      this.bias = this.addWeight('bias', [gh], 'float32', cell.biasInitializer);
      const custom = this.initialBias(cell.biasInitializer);
      if (custom) {
        this.bias.write(custom);
        custom.dispose();
      }
    }
    this.built = true;
  }

  /** Like tf.layers.rnn: `initialState` in kwargs is appended to the inputs. */
  override apply(
    inputs: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[], kwargs?: tf.serialization.ConfigDict,
  ): tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[] {
    const init = kwargs?.['initialState'] as tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[] | undefined | null;
    if (init == null) return super.apply(inputs, kwargs);
    const { initialState: _drop, ...rest } = kwargs ?? {};
    const list = [...(Array.isArray(inputs) ? inputs : [inputs]), ...(Array.isArray(init) ? init : [init])];
    return super.apply(list as tf.Tensor[], rest);
  }

  /**
   * The last call's key and outputs, kept alive until the current task's microtasks run.
   * tfjs-layers' executor calls a multi-output layer once per output it needs
   * (tf.layers.bidirectional with returnState: five times per training step), and each call
   * would rerun the whole recurrence. A call reuses the last result when its inputs, mask and
   * weights (by data id, which `assign` replaces) and gradient tape are the same objects; the forward pass is
   * deterministic (no dropout), so a reused result equals a recomputed one. Callers always get
   * clones (Identity: shared data, a tape entry), so each caller's scope owns what it receives
   * and the memo's own references can be dropped at any time.
   */
  private memo?: { key: unknown[]; kept: tf.Tensor[]; array: boolean };

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const rawMask = kwargs?.['mask'] as tf.Tensor | tf.Tensor[] | undefined | null;
    const m0 = Array.isArray(rawMask) ? rawMask[0] : rawMask;
    const weights = [this.kernel, this.recurrentKernel, this.bias].map((w) => (w ? (w.read() as unknown as { dataId: object }).dataId : undefined));
    // A result computed outside a gradient tape (or on another tape) must not feed this one.
    const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: unknown } }).state;
    const tape = state.gradientDepth > 0 ? state.activeTape : null;
    const key: unknown[] = [...list, m0 ?? undefined, ...weights, tape];
    const hit = this.memo;
    if (hit && hit.key.length === key.length && hit.key.every((k, i) => k === key[i]) && hit.kept.every((t) => !t.isDisposed)) {
      const clones = hit.kept.map((t) => tf.clone(t));
      return hit.array ? clones : (clones[0] as tf.Tensor);
    }
    const out = tf.tidy(() => {
      const x = list[0] as tf.Tensor3D;
      const b = x.shape[0];
      const mask = m0 == null ? undefined : (tf.cast(m0, 'float32') as tf.Tensor2D);
      let initial = list.slice(1, 1 + this.stateCount) as tf.Tensor2D[];
      if (initial.length === 0) initial = Array.from({ length: this.stateCount }, () => tf.zeros([b, this.units]));
      if (initial.length !== this.stateCount) throw new Error(`${this.getClassName()}: expected ${this.stateCount} initial state tensors, got ${initial.length}`);
      const { outputs, states } = this.recurrence()(x, this.kernel!.read() as tf.Tensor2D, this.bias?.read() as tf.Tensor1D | undefined,
        this.recurrentKernel!.read() as tf.Tensor2D, initial, mask, this.goBackwards);
      const seq = this.returnSequences ? outputs : (states[0] as tf.Tensor2D);
      return this.returnState ? [seq, ...states] : seq;
    });
    const kept = (Array.isArray(out) ? out : [out]).map((t) => tf.keep(t));
    this.dropMemo();
    const memo = { key, kept, array: Array.isArray(out) };
    this.memo = memo;
    queueMicrotask(() => {
      if (this.memo === memo) this.dropMemo();
    });
    const clones = kept.map((t) => tf.clone(t));
    return memo.array ? clones : (clones[0] as tf.Tensor);
  }

  private dropMemo(): void {
    if (this.memo) tf.dispose(this.memo.kept);
    this.memo = undefined;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const b = shape[0] ?? null;
    const out: tf.Shape = this.returnSequences ? [b, shape[1] ?? null, this.units] : [b, this.units];
    if (!this.returnState) return out;
    return [out, ...Array.from({ length: this.stateCount }, (): tf.Shape => [b, this.units])];
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const m = Array.isArray(mask) ? (mask[0] ?? null) : (mask ?? null);
    const outMask = this.returnSequences ? m : null;
    if (!this.returnState) return outMask as tf.Tensor;
    return [outMask, ...Array.from({ length: this.stateCount }, () => null)] as unknown as tf.Tensor[];
  }

  /** The stock layer's config (same keys, serialised initialisers) plus this layer's name. */
  override getConfig(): tf.serialization.ConfigDict {
    const stockConfig = this.stock.getConfig();
    return { ...stockConfig, ...super.getConfig() };
  }
}
