/**
 * x·W (+ b) over the last axis, with a gradient that transposes explicitly. tfjs-backend-wasm
 * 4.22's BatchMatMul with `transposeA` (which the stock matMul gradient uses for dW) runs ~18×
 * slower than a transpose followed by a plain product; for the 1024-wide frame layers of
 * exercise 3 that made one training step ~30× slower than its forward pass.
 */
import * as tf from '@tensorflow/tfjs';

/** See the file comment. */
export function denseFast(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const din = x.shape[x.rank - 1] ?? 0;
  const dout = kernel.shape[1] ?? 0;
  const lead = x.shape.slice(0, -1);
  const y = matMulFast(x.reshape([-1, din]), kernel);
  return (bias === undefined ? y : y.add(bias)).reshape([...lead, dout]);
}

const matMulFast = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, sb.transpose()), tf.matMul(sa.transpose(), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
