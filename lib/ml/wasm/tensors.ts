/**
 * Moving tensors in and out of the kernel arena (kernels.ts) with as few copies as the active
 * tfjs backend allows: on wasm, values are read straight from the backend's heap and a new
 * tensor's values are copied into the heap on creation, so views can be passed both ways; other
 * backends keep the array a tensor is made from, so they get a copy.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Arena, kernelArena } from './kernels.ts';

interface EngineState {
  state: { gradientDepth: number; activeTape: object | null };
}

/** The gradient tape being recorded (an identity), or undefined when none is. */
export function recordingTape(): object | undefined {
  const { state } = tf.engine() as unknown as EngineState;
  return state.gradientDepth > 0 && state.activeTape ? state.activeTape : undefined;
}

/** Copies a float32 tensor's values into a new arena buffer; its offset. */
export function putTensor(A: Arena, t: tf.Tensor): number {
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as BackendWasm;
    return A.put(backend.typedArrayFromHeap(t as unknown as Parameters<BackendWasm['typedArrayFromHeap']>[0]) as Float32Array);
  }
  return A.put(t.dataSync() as Float32Array);
}

/** Copies a float32 tensor's values into an existing arena buffer. */
export function setFromTensor(A: Arena, ptr: number, t: tf.Tensor): void {
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as BackendWasm;
    A.set(ptr, backend.typedArrayFromHeap(t as unknown as Parameters<BackendWasm['typedArrayFromHeap']>[0]) as Float32Array);
  } else A.set(ptr, t.dataSync() as Float32Array);
}

/** A new float32 tensor holding the `shape`-sized buffer at `ptr`. */
export function tensorFrom<T extends tf.Tensor = tf.Tensor>(A: Arena, ptr: number, shape: number[]): T {
  const n = shape.reduce((p, d) => p * d, 1);
  return tf.tensor(tf.getBackend() === 'wasm' ? A.view(ptr, n) : A.get(ptr, n), shape, 'float32') as T;
}

/**
 * One forward call's view of the kernel arena. Buffers the backward pass reads are taken with
 * `keep`: saved in the arena while a gradient tape records (scratch otherwise, since no backward
 * pass will come). `backward` starts the backward pass and fails loudly if those buffers were
 * released by a newer tape.
 */
export class FusedOpFrame {
  readonly A: Arena;
  private readonly tape: object | undefined;
  private generation: number;

  constructor() {
    this.A = kernelArena();
    this.A.reset();
    this.tape = recordingTape();
    this.generation = this.A.generation;
  }

  /** A buffer the backward pass will read; take all of them before any `A.alloc`. */
  keep(floats: number): number {
    const ptr = this.tape ? this.A.save(floats, this.tape) : this.A.alloc(floats);
    this.generation = this.A.generation;
    return ptr;
  }

  /** Frees the scratch of the ops in between and hands back the arena for the backward pass. */
  backward(opName: string): Arena {
    if (!this.tape || this.A.generation !== this.generation) {
      throw new Error(`${opName}: the saved forward state was released before the backward pass (a new gradient tape started in between)`);
    }
    this.A.reset();
    return this.A;
  }
}

