/** Base class for layers that take a list of inputs in which one tensor may appear twice. */
import * as tf from '@tensorflow/tfjs';
import type { Kwargs } from './common.ts';

type Inputs = tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[];

/**
 * Passes its input through as a new tensor (a cheap, data-sharing clone). Inserted by
 * {@link MultiInputLayer} only; registered so that saved models containing it load.
 */
export class InputCopy extends tf.layers.Layer {
  static readonly className = 'SeqlabInputCopy';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.clone(Array.isArray(inputs) ? inputs[0]! : inputs);
  }
}
tf.serialization.registerClass(InputCopy);

/**
 * Why this exists: in a functional model, tfjs-layers' executor counts a tensor's consumers as
 * a *set* of nodes but decrements the count once per *input slot*, so a layer applied to
 * `[x, x, x]` frees x too early and `model.predict()` fails with "Tensor is disposed". (Per-call
 * kwargs cannot carry a fix: `predict`/`fit` do not replay them.) So when a symbolic call
 * repeats a tensor, each repeat is routed through its own {@link InputCopy} node. Eager calls
 * are untouched.
 */
export abstract class MultiInputLayer extends tf.layers.Layer {
  override apply(inputs: Inputs, kwargs?: Kwargs): Inputs {
    if (Array.isArray(inputs) && inputs.some((t) => t instanceof tf.SymbolicTensor)) {
      const list = inputs as tf.SymbolicTensor[];
      const distinct = list.map((t, i) => (list.indexOf(t) < i ? (new InputCopy({}).apply(t) as tf.SymbolicTensor) : t));
      return super.apply(distinct, kwargs);
    }
    return super.apply(inputs, kwargs);
  }
}
