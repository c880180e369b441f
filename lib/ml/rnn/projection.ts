/**
 * x·W + b for the input projection of all timesteps, with a gradient that avoids transposed
 * matMul operands: the wasm backend runs those on a slow scalar path (profiled at several times
 * XNNPACK's cost), so the transposes are materialised first.
 */
import * as tf from '@tensorflow/tfjs';

/** x (n, d) · w (d, k) [+ b (k)] → (n, k). */
export function project(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const grads = (dy: tf.Tensor2D, xs: tf.Tensor2D, ws: tf.Tensor2D): tf.Tensor[] => [
    tf.matMul(dy, tf.transpose(ws)),
    tf.matMul(tf.transpose(xs), dy),
  ];
  if (b === undefined) {
    const op = tf.customGrad((...args: unknown[]) => {
      const [xs, ws, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
      save([xs, ws]);
      return { value: tf.matMul(xs, ws), gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => grads(dy as tf.Tensor2D, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D) };
    });
    return op(x, w) as tf.Tensor2D;
  }
  const op = tf.customGrad((...args: unknown[]) => {
    const [xs, ws, bs, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([xs, ws]);
    return {
      value: tf.add(tf.matMul(xs, ws), bs),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
        ...grads(dy as tf.Tensor2D, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D),
        tf.sum(dy as tf.Tensor2D, 0),
      ],
    };
  });
  return op(x, w, b) as tf.Tensor2D;
}
