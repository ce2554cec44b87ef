// ProxylessNAS-style weight steps: each step trains one path of the supernet, one operator per Mixop drawn from
// softmax(alpha), so it costs one network's compute instead of every candidate's (arch steps keep the mixture).
import { grad } from '../../graph/autodiff.js';
import { encodeModel } from '../../graph/builder.js';
import { paramTensors } from '../../graph/evaluate.js';
import { createAdam } from '../../graph/optim.js';
import { createSession, type Feeds, type Session } from '../../graph/runtime.js';
import type { Trainer } from '../../graph/trainer.js';
import { autofasError } from '../../schema/errors.js';
import type { Rng } from '../../util/random.js';
import type { SearchConfig } from '../search/config.js';
import type { Supernet, SupernetPath } from './supernet.js';

/** What the search loop asks of a weight trainer (the mixture's createTrainer or the path trainer). */
export type WeightTrainer = Pick<Trainer, 'step' | 'extras' | 'dispose'>;

/** A compiled path graph of one identity pattern. */
interface PathSession {
  readonly session: Session;
  readonly path: SupernetPath;
  readonly paramFeeds: Feeds;
  /** Gradient output names: the path's params (full size), then its blocks (layer order, head last). */
  readonly paramGrads: readonly string[];
  readonly blockGrads: readonly string[];
  readonly losses: { readonly student: string; readonly task: string; readonly distill: string };
}

async function compilePath(supernet: Supernet, config: SearchConfig, skip: readonly boolean[]): Promise<PathSession> {
  const path = supernet.buildPath(config.distill, config.lambda1, config.candidatesPerRequest, skip);
  const { g, losses } = path;
  const wrt = [...path.weightParams.map((p) => p.value), ...path.blocks];
  const grads = grad(g, losses.student, wrt).map((v) => g.produced(v));
  const [student, task, distill] = [losses.student, losses.task, losses.distill].map((v) => g.produced(v));
  const outputs = [...new Map([student, task, distill, ...grads].map((v) => [v.name, v])).values()];
  const session = await createSession(encodeModel(g.toModel({ params: 'inputs', outputs })), { threads: config.threads });
  const names = grads.map((v) => v.name);
  return {
    session,
    path,
    paramFeeds: paramTensors(g, session),
    paramGrads: names.slice(0, path.weightParams.length),
    blockGrads: names.slice(path.weightParams.length),
    losses: { student: student.name, task: task.name, distill: distill.name },
  };
}

/** Index drawn from a discrete distribution. */
function draw(probs: ArrayLike<number>, rng: Rng): number {
  let u = rng.next();
  for (let j = 0; j < probs.length - 1; j++) if ((u -= probs[j]) < 0) return j;
  return probs.length - 1;
}

/**
 * A weight trainer over sampled paths: per step it draws one operator per Mixop, feeds that operator's weight block,
 * and applies Adam to every weight array with the path's gradient (zero off the path), as dense Adam on the mixture
 * would. One ORT session per identity pattern (at most 2^(Mixops-1)), compiled on first use.
 */
export async function createPathTrainer(supernet: Supernet, config: SearchConfig, rng: Rng): Promise<WeightTrainer> {
  const adam = createAdam({ lr: config.learningRate });
  const arrays = supernet.weightArrays();
  const grads = arrays.map((a) => new Float32Array(a.length));
  const sessions = new Map<string, Promise<PathSession>>();
  let extras: Record<string, Float32Array> = {};
  const sessionFor = (skip: boolean[]): Promise<PathSession> => {
    const key = skip.map(Number).join('');
    let session = sessions.get(key);
    if (!session) sessions.set(key, (session = compilePath(supernet, config, skip)));
    return session;
  };
  return {
    get extras() {
      return extras;
    },
    async step(feeds) {
      const choice = supernet.mixops.map((m) => draw(m.probs(), rng));
      const ps = await sessionFor(choice.map((j, l) => supernet.mixops[l].ops[j].kind === 'identity'));
      const blocks = pathBlocks(supernet, choice);
      const out = await ps.session.run({ ...feeds, ...ps.paramFeeds, ...blocks.feeds });
      const loss = (out[ps.losses.student].data as Float32Array)[0];
      extras = { task: out[ps.losses.task].data as Float32Array, distill: out[ps.losses.distill].data as Float32Array };
      if (!Number.isFinite(loss)) throw autofasError('ERR_AUTOFAS_NONFINITE_LOSS', `training loss is ${loss}`, { step: adam.steps });
      for (const g of grads) g.fill(0);
      ps.path.weightParams.forEach((p, k) => grads[arrays.indexOf(p.data)].set(out[ps.paramGrads[k]].data as Float32Array));
      blocks.scatter(ps.blockGrads.map((name) => out[name].data as Float32Array), (a) => grads[arrays.indexOf(a)]);
      adam.step(arrays, grads);
      return loss;
    },
    async dispose() {
      for (const s of sessions.values()) await (await s).session.dispose();
    },
  };
}

/** The sampled ops' weight blocks as feeds, and how to scatter their gradients back into full-size arrays. */
function pathBlocks(supernet: Supernet, choice: readonly number[]) {
  const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
  const used: { l: number; j: number; rowsIn: number }[] = [];
  let width = supernet.inWidth();
  supernet.mixops.forEach((m, l) => {
    const op = m.ops[choice[l]];
    if (op.kind === 'identity') return;
    const { w, b } = m.pathWeights(choice[l], width);
    feeds[`path${l}_w`] = { data: w, dims: [width, op.width] };
    feeds[`path${l}_b`] = { data: b, dims: [op.width] };
    used.push({ l, j: choice[l], rowsIn: width });
    width = op.width;
  });
  const head = supernet.headArrays();
  feeds.path_head_w = { data: head.w.subarray(0, width), dims: [width, 1] };
  const scatter = (blockGrads: readonly Float32Array[], gradOf: (array: Float32Array) => Float32Array): void => {
    used.forEach(({ l, j, rowsIn }, k) => {
      const [w, b] = supernet.mixops[l].weightArrays();
      supernet.mixops[l].scatterPathGrad(j, rowsIn, blockGrads[2 * k], blockGrads[2 * k + 1], gradOf(w), gradOf(b));
    });
    gradOf(head.w).set(blockGrads[blockGrads.length - 1]);
  };
  return { feeds, scatter };
}
