/**
 * The CIFAR ResNets of He et al. 2016 (§4.2) as a graph, named as akamaster/pytorch_resnet_cifar10's
 * resnet.py names them (DESIGN.md, "resnet"): conv1 → bn1 → φ, three stages of n basic blocks with width,
 * 2·width and 4·width channels (the first block of stages 2 and 3 halves the image), global average
 * pooling, then `linear`. Depth 6n + 2.
 */
import type { ModelConfig } from '../config.ts';
import { GraphBuilder, type Graph, type TensorId } from './graph.ts';

/** The images a ResNet reads: H×W×C per sample. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

/** The depths a CIFAR ResNet has (6n + 2), up to ResNet-1202. */
export const RESNET_DEPTHS: readonly number[] = Array.from({ length: 200 }, (_, i) => 6 * (i + 1) + 2);

/** Blocks per stage for a depth, or a RangeError naming the depths there are. */
export function blocksPerStage(depth: number): number {
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new RangeError(`model.depth must be 6n + 2 for a resnet (8, 14, 20, 32, 44, 56, 110, …; got ${depth})`);
  }
  return (depth - 2) / 6;
}

type ResnetModel = Pick<ModelConfig, 'depth' | 'width' | 'activation' | 'norm' | 'residual'>;

export function resnetGraph(model: ResnetModel, data: ImageShape): Graph {
  const n = blocksPerStage(model.depth);
  if (model.norm === 'layer') throw new RangeError('model.norm must be batch or none for a resnet (got layer)');
  const g = new GraphBuilder();
  const input = g.tensor('input', [data.height, data.width, data.channels]);
  const batchNorm = model.norm !== 'none';
  const act = model.activation;

  /** conv → (bn) as one stats row's z and u; returns the tensor after the norm. */
  const convBn = (prefix: string, conv: string, bn: string, x: TensorId, channels: number, stride: number) => {
    const [h, w] = g.shape(x);
    const [ho, wo] = [Math.floor((h! - 1) / stride) + 1, Math.floor((w! - 1) / stride) + 1];
    const z = g.tensor(`${prefix}${conv}.out`, [ho, wo, channels]);
    const node = g.node({ kind: 'conv2d', name: `${prefix}${conv}`, input: x, output: z, geometry: { kernel: 3, stride, pad: 1 }, bias: false });
    let u = z;
    if (batchNorm) {
      u = g.tensor(`${prefix}${bn}.out`, [ho, wo, channels]);
      g.node({ kind: 'norm', norm: 'batch', name: `${prefix}${bn}`, input: z, output: u });
    }
    return { node, z, u };
  };
  const relu = (name: string, u: TensorId): TensorId => {
    const out = g.tensor(name, g.shape(u));
    g.node({ kind: 'activation', activation: act, input: u, output: out });
    return out;
  };

  const stem = convBn('', 'conv1', 'bn1', input, model.width, 1);
  let x = relu('conv1.act', stem.u);
  g.row({ name: 'conv1', kind: 'conv', node: stem.node, z: stem.z, u: stem.u, h: x, activation: act });

  for (let s = 1; s <= 3; s++) {
    const planes = model.width * 2 ** (s - 1);
    for (let i = 0; i < n; i++) {
      const p = `layer${s}.${i}.`;
      const stride = s > 1 && i === 0 ? 2 : 1;
      const first = convBn(p, 'conv1', 'bn1', x, planes, stride);
      const mid = relu(`${p}act1`, first.u);
      g.row({ name: `${p}conv1`, kind: 'conv', node: first.node, z: first.z, u: first.u, h: mid, activation: act });
      const second = convBn(p, 'conv2', 'bn2', mid, planes, 1);
      let pre = second.u;
      if (model.residual !== 'none') {
        let skip = x;
        const cin = g.shape(x).at(-1)!;
        if (stride !== 1 || cin !== planes) {
          skip = g.tensor(`${p}shortcut`, g.shape(second.u));
          g.node({ kind: 'shortcut', input: x, output: skip, stride, pad: (planes - cin) / 2 });
        }
        pre = g.tensor(`${p}sum`, g.shape(second.u));
        g.node({ kind: 'add', name: p.slice(0, -1), skip, input: second.u, output: pre, alpha: model.residual === 'rezero' ? 'learned' : 'fixed' });
      }
      const out = relu(`${p}out`, pre);
      g.row({ name: `${p}conv2`, kind: 'conv', node: second.node, z: second.z, u: pre, h: out, activation: act });
      x = out;
    }
  }
  const pooled = g.tensor('pool', [g.shape(x).at(-1)!]);
  g.node({ kind: 'pool', input: x, output: pooled });
  const logits = g.tensor('logits', [data.classes]);
  const head = g.node({ kind: 'linear', name: 'linear', input: pooled, output: logits, bias: true });
  g.row({ name: 'linear', kind: 'linear', node: head, z: logits, u: logits, h: logits, activation: 'linear' });
  return g.build(input, logits, 'classification');
}
