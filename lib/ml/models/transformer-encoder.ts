/** Transformer encoder: embeddings, sinusoidal positions and a stack of encoder blocks. */
import * as tf from '@tensorflow/tfjs';
import { dense } from '../layers/common.ts';
import { SinusoidalPositionEncoding } from '../layers/sinusoidal-position-encoding.ts';
import { TransformerEncoderBlock } from '../layers/transformer-encoder-block.ts';
import { type Encoder, type EncoderInputOptions, type EncoderOutput, makeInputReader, maskedMean } from './encoders.ts';
import { WeightStore } from './weights.ts';

/** Options of {@link transformerEncoder}. */
export interface TransformerEncoderOptions extends EncoderInputOptions {
  /** Model width (default: embedDim for tokens, else 32); feature input is projected to it. */
  modelDim?: number;
  /** Number of blocks (default 2). */
  layers?: number;
  /** Heads per block (default 4; must divide modelDim). */
  heads?: number;
  /** Feed-forward width (default 2·modelDim). */
  ffDim?: number;
  /** Layer-norm placement: 'post' (default, the paper's LN(x + f(x))) or 'pre' (x + f(LN(x)), Xiong et al. 2020). */
  norm?: 'pre' | 'post';
  /** Dropout rate inside each block while training (default 0). */
  dropout?: number;
  seed: number;
  /** Logical weight prefix (default 'encoder'). */
  name?: string;
}

/**
 * Vaswani et al. 2017, §3.1/§3.4/§3.5: embeddings scaled by sqrt(d), plus sinusoidal positions,
 * through N encoder blocks (post-norm as in the paper, or pre-norm) with the padding mask on every self-attention. Outputs are
 * zeroed at padded steps (the blocks leave them meaningless).
 */
export function transformerEncoder(opts: TransformerEncoderOptions): Encoder {
  const prefix = opts.name ?? 'encoder';
  const store = new WeightStore(opts.seed);
  const input = makeInputReader(store, prefix, opts);
  const d = opts.modelDim ?? (opts.vocabSize !== undefined ? input.dim : 32);
  const heads = opts.heads ?? 4;
  if (d % heads !== 0) throw new Error(`transformerEncoder: heads (${heads}) must divide modelDim (${d})`);
  // Token embeddings already have width d when modelDim is left alone; otherwise project.
  const proj = input.dim === d ? undefined : store.create(`${prefix}/in_proj/kernel`, [input.dim, d]);
  const positions = new SinusoidalPositionEncoding();
  const blocks = Array.from({ length: opts.layers ?? 2 }, (_, i) => {
    const block = new TransformerEncoderBlock({
      numHeads: heads, ffDim: opts.ffDim ?? 2 * d, seed: store.nextSeed(), normFirst: opts.norm === 'pre', dropout: opts.dropout ?? 0,
    });
    return store.adopt(`${prefix}/block${i}`, block, [[null, null, d], [null, null]]);
  });
  return {
    outputDim: d,
    stateDim: d,
    stateCount: 1,
    encode(src, maskIn, training = false) {
      return tf.tidy(() => {
        const { x: raw, mask } = input.read(src, maskIn);
        const x = proj ? dense(raw, proj) : raw.mul(Math.sqrt(d));
        let h = positions.call([x, mask], {}) as tf.Tensor3D;
        for (const block of blocks) h = (block.call([h, mask], { training }) as tf.Tensor[])[0] as tf.Tensor3D;
        const outputs = h.mul(mask.expandDims(2)) as tf.Tensor3D;
        return { outputs, values: outputs, mask, state: [maskedMean(outputs, mask)] } as unknown as tf.TensorContainerObject;
      }) as unknown as EncoderOutput;
    },
    weights: () => store.weights(),
  };
}
