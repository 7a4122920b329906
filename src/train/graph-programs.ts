/**
 * A layer graph's step and eval programs assembled from its passes (graph-passes.ts) and statistics (graph-stats.ts):
 * what StepProgram.create records, and the test-set evaluation.
 */
import type { Dispatch } from '../gpu/kernel.ts';
import type { TilingChoice } from '../kernels/tunables.ts';
import type { GraphNetwork } from '../model/graph/graph-network.ts';
import { EvalProgram } from './eval.ts';
import { GraphPasses } from './graph-passes.ts';
import { deltaNorms, dzColumnSums, layerStatistics, residualSplitNorms } from './graph-stats.ts';
import { backwardOwners, forwardOwners, groupBySegment } from './layer-timing.ts';
import type { StepPasses, StepProgram } from './step.ts';

/** The whole step for StepProgram.create. */
export async function recordGraphStep(net: GraphNetwork, program: StepProgram, tiling?: TilingChoice): Promise<StepPasses> {
  const passes = new GraphPasses(net, tiling);
  const { stats } = program;
  const gather: Dispatch[][] = [];
  for (let k = 0; k < net.plan.shape.stepsPerSubmit; k++) gather.push(await passes.gather(k, 'train'));
  const forwardOps = await passes.forwardOps('train');
  const forward = forwardOps.flat();
  const loss = await passes.loss(program.out(stats.loss));
  const sums = dzColumnSums(net);
  const timeDelta = stats.timeDelta.bytes > 0 ? program.out(stats.timeDelta) : null;
  const backward = await passes.backward(timeDelta);
  const backwardLoggedOps = await passes.backwardOps(timeDelta, sums);
  const backwardLogged = backwardLoggedOps.flat();
  const { steps, backward: ops } = net.plan.schedule;
  const rows = {
    forward: groupBySegment(forwardOwners(net.plan.graph, steps), forwardOps),
    backward: groupBySegment(backwardOwners(net.plan.graph, steps, ops), backwardLoggedOps),
  };
  const norms = await program.gradNorms(net.grads, net.plan.paramList);
  const normsLogged = (await program.loggedGradNorms(net.grads, net.plan.paramList)) ?? norms;
  const statistics = [
    ...(await deltaNorms(net, sums, program.out(stats.dzSums))),
    ...(await layerStatistics(net, program.out(stats.layer))),
    ...(stats.residual.bytes > 0 ? await residualSplitNorms(net, program.out(stats.residual)) : []),
  ];
  const update = await program.updates({ params: net.params, grads: net.grads, m: net.m, v: net.v }, net.plan.paramList);
  return { gather, forward, loss, backward, backwardLogged, norms, normsLogged, statistics, update, rows };
}

/** Test-set loss and accuracy over the graph: gather, forward with batch norm on its running statistics, loss, per chunk. */
export async function recordGraphEval(net: GraphNetwork, tiling?: TilingChoice): Promise<EvalProgram> {
  const { plan, ctx } = net;
  const passes = new GraphPasses(net, tiling);
  const lossOut = ctx.createBuffer('eval loss', 256, GPUBufferUsage.STORAGE);
  const forward = await passes.forward('eval');
  const loss = await passes.loss({ buffer: lossOut, offset: 0, size: 256 });
  const chunks: Dispatch[][] = [];
  for (let k = 0; k < plan.evalIndex.length; k++) chunks.push([...(await passes.gather(k, 'test')), ...forward, ...loss]);
  EvalProgram.writeIndices(ctx, net.io.evalIndex.buffers, plan.evalIndex, plan.shape.batch, plan.shape.testSamples);
  return EvalProgram.fromChunks(ctx, chunks, net.r('rowStats', plan.rowStats), { batch: plan.shape.batch, testSamples: plan.shape.testSamples, task: plan.graph.task });
}
