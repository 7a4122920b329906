/**
 * The per-layer statistics a view can show (fields of StepRecord), with the words the page uses for
 * them: a short name for menus and axes, and one line on what it measures for a tooltip.
 */
export const LAYER_STATISTICS = ['gradNorm', 'deltaNorm', 'updateRatio', 'actStd', 'saturated', 'dead'] as const;

export type LayerStatistic = (typeof LAYER_STATISTICS)[number];

export interface StatisticWords {
  /** Menu entry, e.g. "Weight gradient". */
  name: string;
  /** Axis and legend caption, with the symbol, e.g. "weight gradient ‖∂L/∂W‖". */
  axis: string;
  /** One line on what it measures and what to look for. */
  help: string;
}

export const STATISTIC_WORDS: Readonly<Record<LayerStatistic, StatisticWords>> = {
  gradNorm: {
    name: 'Weight gradient',
    axis: 'weight gradient ‖∂L/∂W‖',
    help: 'Size of the loss gradient for the layer’s weights, the direction the optimizer moves them. Vanishing gradients fade toward the input; exploding ones brighten.',
  },
  deltaNorm: {
    name: 'Backward signal',
    axis: 'backward signal ‖∂L/∂z‖',
    help: 'Size of the gradient arriving at the layer’s pre-activations: the signal backpropagation carries down through depth, before it meets the layer’s inputs.',
  },
  updateRatio: {
    name: 'Update size',
    axis: 'update ratio ‖ΔW‖/‖W‖',
    help: 'How far this step moved the layer’s weights, relative to their size. Rows far below the others barely learn; rows far above are thrown around.',
  },
  actStd: {
    name: 'Activation spread',
    axis: 'activation std',
    help: 'Standard deviation of the layer’s outputs over the batch. Shrinking toward zero or growing across depth means the forward signal vanishes or explodes.',
  },
  saturated: {
    name: 'Saturated units',
    axis: 'saturated fraction',
    help: 'Share of tanh, sigmoid or GELU inputs where the slope is below a tenth of its peak: almost no gradient passes them. Always 0 for the ReLU family.',
  },
  dead: {
    name: 'Dead units',
    axis: 'dead-unit fraction',
    help: 'Share of ReLU units that output zero for every sample of the batch: they pass no gradient, so their weights stop changing. Always 0 for smooth activations.',
  },
};

export function isLayerStatistic(s: unknown): s is LayerStatistic {
  return typeof s === 'string' && (LAYER_STATISTICS as readonly string[]).includes(s);
}
