/** Decoding for encoder–decoder models: greedy and beam search. */
export { greedyDecode, argMaxRow } from './greedy.ts';
export { beamSearch, beamSearchNBest, lengthPenalty, type BeamSearchOptions } from './beam.ts';
export {
  type Decodable, type DecodeOptions, type Hypothesis, type StepOutput, type TensorTree, disposeTree, gatherTree,
  sourceLengths, toSourceTensor,
} from './types.ts';
