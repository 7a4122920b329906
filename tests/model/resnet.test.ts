import { describe, expect, it } from 'vitest';
import { graphParams, layerRows } from '../../src/model/graph/params.ts';
import { blocksPerStage, resnetGraph } from '../../src/model/graph/resnet.ts';

const CIFAR = { height: 32, width: 32, channels: 3, classes: 10 };
const model = (depth: number, extra: Partial<Parameters<typeof resnetGraph>[0]> = {}) => ({
  depth, width: 16, activation: 'relu' as const, norm: 'batch' as const, residual: 'identity' as const, ...extra,
});

/** akamaster/pytorch_resnet_cifar10's state_dict for resnet{6n+2}, parameters only, in order (DESIGN.md, "resnet"). */
function akamasterParams(n: number, bn = true): [string, number[]][] {
  const out: [string, number[]][] = [['conv1.weight', [16, 3, 3, 3]]];
  const norm = (p: string, c: number): [string, number[]][] => (bn ? [[`${p}.weight`, [c]], [`${p}.bias`, [c]]] : []);
  out.push(...norm('bn1', 16));
  let cin = 16;
  for (let s = 1; s <= 3; s++) {
    const planes = 16 * 2 ** (s - 1);
    for (let i = 0; i < n; i++) {
      out.push([`layer${s}.${i}.conv1.weight`, [planes, cin, 3, 3]], ...norm(`layer${s}.${i}.bn1`, planes));
      out.push([`layer${s}.${i}.conv2.weight`, [planes, planes, 3, 3]], ...norm(`layer${s}.${i}.bn2`, planes));
      cin = planes;
    }
  }
  out.push(['linear.weight', [10, 64]], ['linear.bias', [10]]);
  return out;
}

describe('the CIFAR ResNets as graphs', () => {
  for (const depth of [20, 32, 56, 110]) {
    it(`ResNet-${depth}: parameters named and shaped as akamaster's resnet${depth}, buffers for every bn`, () => {
      const n = blocksPerStage(depth);
      const { params, buffers } = graphParams(resnetGraph(model(depth), CIFAR));
      expect(params.map((p) => [p.name, p.shape])).toEqual(akamasterParams(n));
      expect(buffers.map((b) => b.name)).toEqual(
        akamasterParams(n)
          .filter(([name]) => name.includes('bn') && name.endsWith('.weight'))
          .flatMap(([name]) => [name.replace('.weight', '.running_mean'), name.replace('.weight', '.running_var')]),
      );
    });
  }

  it('has a stats row per conv and the linear, in forward order, and halves the image entering stages 2 and 3', () => {
    const g = resnetGraph(model(20), CIFAR);
    const rows = layerRows(g);
    expect(rows).toHaveLength(20);
    expect(rows.slice(0, 3)).toEqual([
      { name: 'conv1', kind: 'conv' },
      { name: 'layer1.0.conv1', kind: 'conv' },
      { name: 'layer1.0.conv2', kind: 'conv' },
    ]);
    expect(rows.at(-1)).toEqual({ name: 'linear', kind: 'linear' });
    const out = (name: string) => g.tensors.find((t) => t.name === name)!.shape;
    expect(out('layer1.2.out')).toEqual([32, 32, 16]);
    expect(out('layer2.0.conv1.out')).toEqual([16, 16, 32]);
    expect(out('layer3.2.out')).toEqual([8, 8, 64]);
    expect(out('pool')).toEqual([64]);
    // Option A: parameter-free shortcuts only where the shape changes, padding the channels equally.
    const shortcuts = g.nodes.filter((n) => n.kind === 'shortcut');
    expect(shortcuts.map((s) => [g.tensors[s.output]!.name, s.kind === 'shortcut' && s.pad])).toEqual([
      ['layer2.0.shortcut', 8],
      ['layer3.0.shortcut', 16],
    ]);
    // The row of a block's second conv reads what its activation reads: the sum with the skip.
    const r = g.rows.find((row) => row.name === 'layer2.1.conv2')!;
    expect([g.tensors[r.z]!.name, g.tensors[r.u]!.name, g.tensors[r.h]!.name]).toEqual(['layer2.1.conv2.out', 'layer2.1.sum', 'layer2.1.out']);
  });

  it('plain nets have no skips; rezero adds one learnable α per block; norm none drops every bn', () => {
    const plain = resnetGraph(model(20, { residual: 'none' }), CIFAR);
    expect(plain.nodes.some((n) => n.kind === 'add' || n.kind === 'shortcut')).toBe(false);
    const rezero = graphParams(resnetGraph(model(20, { residual: 'rezero' }), CIFAR)).params;
    expect(rezero.filter((p) => p.role === 'alpha').map((p) => p.name)).toEqual(
      [1, 2, 3].flatMap((s) => [0, 1, 2].map((i) => `layer${s}.${i}.alpha`)),
    );
    const bare = graphParams(resnetGraph(model(20, { norm: 'none' }), CIFAR));
    expect(bare.params.map((p) => [p.name, p.shape])).toEqual(akamasterParams(3, false));
    expect(bare.buffers).toEqual([]);
  });

  it('reads any image size (MNIST 28×28×1 halves to 14 and 7) and refuses depths that are not 6n + 2', () => {
    const g = resnetGraph(model(8), { height: 28, width: 28, channels: 1, classes: 10 });
    expect(g.tensors.find((t) => t.name === 'layer3.0.out')!.shape).toEqual([7, 7, 64]);
    expect(graphParams(g).params[0]).toMatchObject({ name: 'conv1.weight', shape: [16, 1, 3, 3], fanIn: 9 });
    for (const bad of [18, 21, 2, 0]) expect(() => resnetGraph(model(bad), CIFAR)).toThrow(/model\.depth must be 6n \+ 2 for a resnet \(8, 14, 20, 32, 44, 56, 110, …; got /);
    expect(() => resnetGraph(model(20, { norm: 'layer' }), CIFAR)).toThrow('model.norm must be batch or none for a resnet (got layer)');
  });
});
