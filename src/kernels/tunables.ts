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
  /**
   * Like reg, loading 4×4 blocks as vec4s, with `cols` 4×4 blocks per invocation along N (1 or 2).
   * Shapes that are not vec4-aligned fall back to reg.
   */
  | { readonly variant: 'vec4'; readonly wgX: number; readonly wgY: number; readonly cols: 1 | 2; readonly rows?: 1 | 2 }
  /** Staged through workgroup memory: tileM × tileN outputs per workgroup, K in steps of tileK. tileM, tileN multiples of 4. */
  | { readonly variant: 'tiled'; readonly tileM: number; readonly tileN: number; readonly tileK: number };

export const MATMUL_TILINGS = {
  naive: { variant: 'naive' },
  reg8x8: { variant: 'reg', wgX: 8, wgY: 8 },
  reg16x8: { variant: 'reg', wgX: 16, wgY: 8 },
  reg16x16: { variant: 'reg', wgX: 16, wgY: 16 },
  vec4_8x8: { variant: 'vec4', wgX: 8, wgY: 8, cols: 1 },
  vec4_16x8: { variant: 'vec4', wgX: 16, wgY: 8, cols: 1 },
  vec4_16x16: { variant: 'vec4', wgX: 16, wgY: 16, cols: 1 },
  vec4x2_8x8: { variant: 'vec4', wgX: 8, wgY: 8, cols: 2 },
  vec4x2_16x8: { variant: 'vec4', wgX: 16, wgY: 8, cols: 2 },
  vec4x4_8x8: { variant: 'vec4', wgX: 8, wgY: 8, cols: 2, rows: 2 },
  vec4x4_16x8: { variant: 'vec4', wgX: 16, wgY: 8, cols: 2, rows: 2 },
  vec4x4_8x16: { variant: 'vec4', wgX: 8, wgY: 16, cols: 2, rows: 2 },
  tiled32: { variant: 'tiled', tileM: 32, tileN: 32, tileK: 16 },
  tiled64: { variant: 'tiled', tileM: 64, tileN: 64, tileK: 16 },
} as const satisfies Record<string, MatmulTiling>;

export type MatmulTilingName = keyof typeof MATMUL_TILINGS;

/** The tiling used when a caller does not choose; the benchmark's autotuner may pick another per adapter. */
export const DEFAULT_TILING: MatmulTiling = MATMUL_TILINGS.vec4x4_8x8;

/** A tiling for every matmul, or one chosen per shape (an autotuned table). */
export type TilingChoice = MatmulTiling | ((shape: TunedShape) => MatmulTiling);

export interface TunedShape {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
}

/** The key a tuning table stores a shape under: `128x128x128` plus `tA`/`tB` for transposed operands. */
export function shapeKey(s: TunedShape): string {
  return `${s.M}x${s.N}x${s.K}${s.transA ? 'tA' : ''}${s.transB ? 'tB' : ''}`;
}

/** Whether `name` is one of MATMUL_TILINGS' own entries (not `constructor`, `__proto__`, `toString`, ...). */
export function isTilingName(name: unknown): name is MatmulTilingName {
  return typeof name === 'string' && Object.hasOwn(MATMUL_TILINGS, name);
}

/**
 * The entries of a tuning table read from a file or storage that are not `shapeKey → tiling name`, as
 * `"key": value` texts for a message; empty when every entry is good.
 */
export function badTuningEntries(table: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(table)
    .filter(([key, name]) => !/^\d+x\d+x\d+(tA)?(tB)?$/.test(key) || !isTilingName(name))
    .map(([key, name]) => `${JSON.stringify(key)}: ${JSON.stringify(name) ?? String(name)}`);
}

/** Per-shape choices from a tuning table, DEFAULT_TILING for shapes it does not hold. */
export function tunedTiling(table: Readonly<Record<string, string>>): (s: TunedShape) => MatmulTiling {
  return (s) => {
    const key = shapeKey(s);
    const name = Object.hasOwn(table, key) ? table[key] : undefined;
    return isTilingName(name) ? MATMUL_TILINGS[name] : DEFAULT_TILING;
  };
}

/**
 * Layer norm over rows of at most this many features runs one invocation per row (sequential sums, no
 * barriers), longer rows one workgroup per row (a tree reduction) on a GPU. A workgroup per row pays for
 * its barriers whatever the row's length: on SwiftShader, which runs barriers as coroutines, 128 rows of
 * 64 took 10 ms that way against 0.13 ms row by row, and even rows of 1,024 were 4× faster row by row;
 * on a GPU a row of 256 is microseconds either way, and longer rows want the whole workgroup.
 */
export const LAYER_NORM_ROWWISE_MAX = 256;

/**
 * Convolutions: register-blocked on CPU adapters, which run workgroup barriers as coroutines, and staged
 * through workgroup memory on GPUs (src/bench/conv-bench.ts measures both).
 */
export function convTilingFor(cpuAdapter: boolean): MatmulTiling {
  return cpuAdapter ? MATMUL_TILINGS.reg16x8 : MATMUL_TILINGS.tiled64;
}

export type LayerNormStrategy = 'rows' | 'workgroup';

/** A software rasterizer standing in for a GPU (SwiftShader, llvmpipe, WARP). */
export function isCpuAdapter(adapter: { architecture: string; device: string; description: string }): boolean {
  return /swiftshader|llvmpipe|lavapipe|\bwarp\b|microsoft basic render/i.test(`${adapter.architecture} ${adapter.device} ${adapter.description}`);
}

export function layerNormStrategy(features: number, cpuAdapter = false): LayerNormStrategy {
  return cpuAdapter || features <= LAYER_NORM_ROWWISE_MAX ? 'rows' : 'workgroup';
}

/**
 * Batch norm's per-column sums run one invocation per column for batches of at most this many samples
 * (and on CPU adapters), else COLS columns per workgroup with lanes striding down the batch.
 */
export const BATCH_NORM_COLWISE_MAX = 256;

export type BatchNormStrategy = 'cols' | 'workgroup';

export function batchNormStrategy(batch: number, cpuAdapter = false): BatchNormStrategy {
  return cpuAdapter || batch <= BATCH_NORM_COLWISE_MAX ? 'cols' : 'workgroup';
}
