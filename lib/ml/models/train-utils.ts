/** Small training helpers shared by the models of this folder. */
import * as tf from '@tensorflow/tfjs';

/** The global L2 norm ‖g‖ over every gradient of the map (a scalar the caller disposes). */
export function globalNorm(grads: tf.NamedTensorMap): tf.Scalar {
  return tf.tidy(() => {
    const entries = Object.values(grads);
    return entries.length === 0 ? tf.scalar(0) : (tf.sqrt(tf.addN(entries.map((g) => tf.square(g).sum()))) as tf.Scalar);
  });
}

/**
 * Scale every gradient by min(1, clipNorm / ‖g‖) where ‖g‖ is the global L2 norm (Pascanu et
 * al. 2013), which keeps the direction of the update. `clipNorm` ≤ 0 returns copies unchanged.
 * Pass `norm` when it is already computed ({@link globalNorm}) to skip the second reduction.
 * The result is new tensors; the caller disposes both maps.
 */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number, norm?: tf.Scalar): tf.NamedTensorMap {
  return tf.tidy(() => {
    const entries = Object.entries(grads);
    if (clipNorm <= 0 || entries.length === 0) return Object.fromEntries(entries.map(([k, g]) => [k, g.clone()]));
    const scale = tf.div(clipNorm, tf.maximum(norm ?? globalNorm(grads), clipNorm));
    return Object.fromEntries(entries.map(([k, g]) => [k, g.mul(scale)]));
  });
}
