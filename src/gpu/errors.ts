/** A WebGPU adapter or device could not be had; the message says how to get one. */
export class GpuUnavailableError extends Error {
  override name = 'GpuUnavailableError';
}

/** WGSL that did not compile; the message names shaders/<file>.wgsl:<line>:<col>. */
export class ShaderError extends Error {
  override name = 'ShaderError';
}

/** A plan or request that does not fit the device's limits. */
export class LimitError extends Error {
  override name = 'LimitError';
}

export const BROWSER_HINT =
  'WebGPU is not available in this browser. Use Chrome or Edge 113+ (desktop), Chrome 121+ on Android, ' +
  'Safari 26+, or Firefox 141+ on Windows; on Linux start Chrome with --enable-unsafe-webgpu ' +
  '(and --enable-features=Vulkan where the GPU driver is new enough).';

export const NODE_HINT =
  'No WebGPU adapter found. On a machine without a GPU, gradscope runs on SwiftShader (a CPU Vulkan driver): ' +
  'install it with `apt-get install chromium libvulkan1` (Debian/Ubuntu), or point ' +
  'VK_ICD_FILENAMES at a vk_swiftshader_icd.json (Chrome for Testing ships one beside its binary).';
