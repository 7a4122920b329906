import { GpuUnavailableError } from './errors.ts';

/** What a run reports about where it ran (JSONL config line, bench output). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** The device plus what was learned while acquiring it. */
export interface Gpu {
  /**
   * The implementation the device came from. Holding it matters: in Node, a collected GPU object
   * frees Dawn's instance while the device still uses it (a crash inside ProcessEvents).
   */
  instance: GPU;
  device: GPUDevice;
  adapter: AdapterSummary;
  /** Limits actually granted to the device. */
  limits: GPUSupportedLimits;
  hasTimestamps: boolean;
  /** Resolves when the device is lost, with the reason; never rejects. */
  lost: Promise<GPUDeviceLostInfo>;
  destroy(): void;
}

/**
 * Limits a deep-network plan leans on. We ask for the adapter's maximum of each, so a plan is refused
 * only when the hardware (not WebGPU's conservative defaults) cannot hold it.
 */
export const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxBindGroups',
] as const;

export type WantedLimit = (typeof WANTED_LIMITS)[number];

export function summarizeAdapter(info: GPUAdapterInfo): AdapterSummary {
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
  };
}

/** The limits to request: the adapter's maximum for each wanted limit, raised to at least `need`. */
export function requestedLimits(
  offered: GPUSupportedLimits,
  need: Partial<Record<WantedLimit, number>> = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const have = offered[name];
    const want = need[name];
    if (want !== undefined && want > have) {
      throw new GpuUnavailableError(
        `This adapter offers ${name} = ${have}, but ${want} is needed. Use a smaller network or another GPU.`,
      );
    }
    out[name] = have;
  }
  return out;
}

/** Acquire a device from any WebGPU implementation (navigator.gpu, or Dawn's GPU object in Node). */
export async function acquireDevice(
  gpu: GPU,
  opts: { need?: Partial<Record<WantedLimit, number>>; powerPreference?: GPUPowerPreference; hint: string },
): Promise<Gpu> {
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new GpuUnavailableError(opts.hint);
  const hasTimestamps = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    requiredLimits: requestedLimits(adapter.limits, opts.need),
    requiredFeatures: hasTimestamps ? ['timestamp-query'] : [],
  });
  return {
    instance: gpu,
    device,
    adapter: summarizeAdapter(adapter.info),
    limits: device.limits,
    hasTimestamps,
    lost: device.lost,
    destroy: () => device.destroy(),
  };
}
