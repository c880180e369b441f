/**
 * Fused recurrent layers and ops: the whole LSTM/GRU recurrence forward, and its BPTT, each as
 * one op with a hand-written gradient. See docs/fused-rnn.md.
 */
export { FusedLSTM, type FusedLSTMArgs } from './fused-lstm.ts';
export { FusedGRU, type FusedGRUArgs } from './fused-gru.ts';
export { FusedRnnLayer, type FusedRnnArgs, type InitializerArg } from './fused-rnn-layer.ts';
export { lstmSequence, type LstmResult } from './lstm-op.ts';
export { gruSequence, type GruResult } from './gru-op.ts';
export { simpleRnnSequence, type SimpleRnnResult } from './simple-rnn-op.ts';
export type { SequenceOptions, MaskedOutput } from './options.ts';
export type { RecurrentActivation } from './activations.ts';
export {
  makeFusedRnn, rnnImplementation, setRnnImplementation, type SequenceRnn, type RnnImplementation,
} from './sequence-rnn.ts';
