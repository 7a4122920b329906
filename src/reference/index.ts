// Float64 CPU reference of every op in the canonical network (DESIGN.md, "The canonical network"), forward and backward.
// GPU kernels are tested against these; these are tested against finite differences.
export { erf, erfc } from './erf.ts';
export { matmul, matmulBackward } from './matmul.ts';
export type { MatmulOptions } from './matmul.ts';
export { ACTIVATIONS, LEAKY_SLOPE, activate, activateGrad, activationForward, activationBackward } from './activations.ts';
export type { Activation } from './activations.ts';
export { layerNormForward, layerNormBackward } from './layer-norm.ts';
export { batchNormForwardTrain, batchNormForwardEval, batchNormBackward } from './batch-norm.ts';
export type { BatchNormTrainForward } from './batch-norm.ts';
export { conv2dForward, conv2dBackward, conv2dOutputSize, ohwiFromOihw, oihwFromOhwi, globalAvgPoolForward, globalAvgPoolBackward, shortcutAForward, shortcutABackward } from './conv.ts';
export type { Conv2dShape, Conv2dGrads, KernelShape, PoolShape, ShortcutShape } from './conv.ts';
export type { NormForward, NormGrads } from './norm-core.ts';
export { softmaxCrossEntropy, meanSquaredError } from './losses.ts';
export { segmentedSumSquares } from './reductions.ts';
export type { Segment } from './reductions.ts';
export { clipByNormScale, clipByValue } from './clipping.ts';
export { sgdStep, momentumStep, adamStep, adamwStep } from './optimizers.ts';
export type { OptimizerHyper, AdamState } from './optimizers.ts';
export { netForwardBackward } from './network.ts';
export { netForward, netLoss, netLossOf, NORM_EPS, BN_MOMENTUM } from './network-forward.ts';
export type { NetForward, BlockState, NormState } from './network-forward.ts';
export { cloneParams, hasSkip, fanIn } from './network-types.ts';
export type { NetSpec, NetParams, NetGrads, NetResult, NetOptions, BlockParams, BlockGrads, BlockCache, LayerStats, RunningStats, NormKind, ResidualKind, TaskKind } from './network-types.ts';
export { layerStats, maxActivationGrad, saturatedFraction, deadFraction, meanStd, frobenius, SATURATION_FRACTION } from './network-stats.ts';
export { RNN_GATES, rnnCellForward, rnnCellBackward } from './rnn-cells.ts';
export type { RnnCell, RnnNonlinearity, CellSpec, CellWeights, CellGrads, CellState, CellCache } from './rnn-cells.ts';
export { rnnForwardBackward, rnnLoss, rnnParamShapes, rnnGradRows } from './rnn.ts';
export type { RnnSpec, RnnBatch, RnnOptions, RnnParams, RnnResult } from './rnn.ts';
