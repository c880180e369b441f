/** Small training helpers shared by the models of this folder. */
import * as tf from '@tensorflow/tfjs';

/**
 * Scale every gradient by min(1, clipNorm / ‖g‖) where ‖g‖ is the global L2 norm (Pascanu et
 * al. 2013), which keeps the direction of the update. `clipNorm` ≤ 0 returns copies unchanged.
 * The result is new tensors; the caller disposes both maps.
 */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const entries = Object.entries(grads);
    if (clipNorm <= 0 || entries.length === 0) return Object.fromEntries(entries.map(([k, g]) => [k, g.clone()]));
    const norm = tf.sqrt(tf.addN(entries.map(([, g]) => tf.square(g).sum())));
    const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
    return Object.fromEntries(entries.map(([k, g]) => [k, g.mul(scale)]));
  });
}
