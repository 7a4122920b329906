import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { acquireDevice, type Gpu, type WantedLimit } from './device.ts';
import { GpuUnavailableError, NODE_HINT } from './errors.ts';

/** Where SwiftShader's Vulkan ICD manifest is usually installed, most common first. */
export function swiftShaderCandidates(home = homedir()): string[] {
  const fixed = [
    '/usr/lib/chromium/vk_swiftshader_icd.json', // Debian chromium
    '/usr/lib/chromium-browser/vk_swiftshader_icd.json', // Ubuntu chromium-browser
    '/usr/lib64/chromium-browser/vk_swiftshader_icd.json', // Fedora
    '/opt/google/chrome/vk_swiftshader_icd.json', // Google Chrome .deb
    '/snap/chromium/current/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  ];
  // Chrome for Testing (puppeteer's and @puppeteer/browsers' cache) ships the manifest beside its binary.
  const cft: string[] = [];
  const cache = join(home, '.cache', 'puppeteer', 'chrome');
  for (const version of safeList(cache)) {
    for (const dir of safeList(join(cache, version))) cft.push(join(cache, version, dir, 'vk_swiftshader_icd.json'));
  }
  return [...fixed, ...cft];
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The ICD manifest to use, or undefined to let Vulkan pick a real GPU. An explicit
 * VK_ICD_FILENAMES (or GRADSCOPE_VK_ICD) always wins.
 */
export function findSwiftShaderIcd(
  env: NodeJS.ProcessEnv = process.env,
  exists: (p: string) => boolean = existsSync,
): string | undefined {
  const explicit = env.GRADSCOPE_VK_ICD ?? env.VK_ICD_FILENAMES;
  if (explicit) return explicit;
  return swiftShaderCandidates().find(exists);
}

/** True when the machine plausibly has a GPU driver worth trying before SwiftShader. */
function mayHaveGpu(): boolean {
  return process.platform !== 'linux' || existsSync('/dev/dri');
}

type DawnModule = { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
let dawn: DawnModule | undefined;

async function loadDawn(): Promise<DawnModule> {
  if (!dawn) {
    dawn = (await import('webgpu')) as unknown as DawnModule;
    // Dawn's constants (GPUBufferUsage, …) are globals in browsers; mirror that in Node.
    Object.assign(globalThis, dawn.globals);
  }
  return dawn;
}

/**
 * A GPUDevice in Node through Dawn. Tries a real GPU first when the machine has one, then
 * SwiftShader; fails with a message that says what to install.
 */
export async function nodeDevice(need: Partial<Record<WantedLimit, number>> = {}): Promise<Gpu> {
  // SwiftShader's window-system probe complains on stderr without it; compute needs no display.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create } = await loadDawn();
  const explicit = process.env.GRADSCOPE_VK_ICD ?? process.env.VK_ICD_FILENAMES;
  if (process.env.GRADSCOPE_VK_ICD) process.env.VK_ICD_FILENAMES = process.env.GRADSCOPE_VK_ICD;
  if (!explicit && mayHaveGpu()) {
    try {
      return await acquireDevice(create([]), { need, hint: NODE_HINT });
    } catch (e) {
      if (!(e instanceof GpuUnavailableError)) throw e;
    }
  }
  const icd = findSwiftShaderIcd();
  if (!icd) throw new GpuUnavailableError(NODE_HINT);
  if (!existsSync(icd)) throw new GpuUnavailableError(`VK_ICD_FILENAMES points at ${icd}, which does not exist. ${NODE_HINT}`);
  // The Vulkan loader reads this when Dawn creates its instance, so it must be set before create().
  process.env.VK_ICD_FILENAMES = icd;
  return acquireDevice(create([]), { need, hint: `${NODE_HINT} (tried ${icd})` });
}
