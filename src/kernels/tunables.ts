/**
 * Every performance knob in one place. Defaults are chosen for real GPUs unless noted; the benchmark
 * (`npm run bench`) measures the alternatives on the adapter at hand. Tests pass a tiling explicitly
 * instead of changing these.
 */

/** How a matmul is tiled; each variant is an entry point of shaders/matmul.wgsl. */
export type MatmulTiling =
  | { readonly variant: 'naive' }
  /** Register-blocked from storage: a wgX × wgY workgroup, 4×4 outputs per invocation. */
  | { readonly variant: 'reg'; readonly wgX: number; readonly wgY: number }
  /** Staged through workgroup memory: tileM × tileN outputs per workgroup, K in steps of tileK. tileM, tileN multiples of 4. */
  | { readonly variant: 'tiled'; readonly tileM: number; readonly tileN: number; readonly tileK: number };

export const MATMUL_TILINGS = {
  naive: { variant: 'naive' },
  reg8x8: { variant: 'reg', wgX: 8, wgY: 8 },
  reg16x8: { variant: 'reg', wgX: 16, wgY: 8 },
  reg16x16: { variant: 'reg', wgX: 16, wgY: 16 },
  tiled32: { variant: 'tiled', tileM: 32, tileN: 32, tileK: 16 },
  tiled64: { variant: 'tiled', tileM: 64, tileN: 64, tileK: 16 },
} as const satisfies Record<string, MatmulTiling>;

export type MatmulTilingName = keyof typeof MATMUL_TILINGS;

/** The tiling used when a caller does not choose; the benchmark's autotuner may pick another per adapter. */
export const DEFAULT_TILING: MatmulTiling = MATMUL_TILINGS.reg8x8;
