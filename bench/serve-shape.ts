// Candidate shape section of the serving benchmark: the compiled encoder over candidates of one hidden class vs spread-built ones.
import { defaultBaseline } from '../examples/gateway/app.js';
import type { WorldHops } from '../examples/gateway/world-hops.js';
import { loadArtifact } from '../src/schema/artifact.js';
import { compileRowEncoder } from '../src/schema/encoder.js';
import type { Candidate } from '../src/index.js';
import { f, pct } from './serve-stats.js';

const ROUNDS = 400;

/** Median time of one encoder pass over `candidates` (after a warm-up), in microseconds. */
function encodeUs(encode: ReturnType<typeof compileRowEncoder>, candidates: readonly Candidate[], features: number): number {
  const words = candidates.length * 64 * features;
  const buffer = new ArrayBuffer(words * 4);
  const [f32, i32] = [new Float32Array(buffer), new Int32Array(buffer)];
  const bases = Int32Array.from({ length: features }, (_, k) => k * candidates.length * 64);
  const missing = new Uint32Array(features);
  const times: number[] = [];
  for (let r = 0; r < ROUNDS + 50; r++) {
    const start = performance.now();
    encode(candidates, candidates.length, null, f32, i32, bases, missing);
    if (r >= 50) times.push((performance.now() - start) * 1000);
  }
  return pct(times, 0.5);
}

/**
 * The same candidates, once as the demo's matching hop builds them (one hidden class) and once as it built them
 * before (a spread of Object.fromEntries rows: nearly one hidden class per object, so every reader goes megamorphic).
 */
export async function shapeSection(hops: WorldHops, candidates: number): Promise<void> {
  const card = (await loadArtifact(defaultBaseline() ?? 'fixtures/baseline', { checkOnnx: false })).card;
  const features = card.inputs.map((i) => i.feature).filter((f) => f.side === 'item' && f.source === 'request');
  const encode = compileRowEncoder(features, 'features');
  const oneShape = hops.match(hops.world.users.ids[3] as string, hops.world.queries.ids[5] as string, candidates);
  // As the demo's hop built them before: rows made by Object.fromEntries (numbers stored now as small integers, now
  // as doubles), then spread with one more field; V8 then gives nearly every object its own hidden class.
  const names = Object.keys(oneShape[0]?.features ?? {});
  const spread = oneShape.map((c) => {
    const row = Object.fromEntries(names.filter((n) => n !== 'match_score').map((n) => [n, c.features?.[n]]));
    return { item_id: c.item_id, features: Object.freeze({ ...row, match_score: c.features?.match_score }) } as Candidate;
  });
  const sameUs = encodeUs(encode, oneShape, features.length);
  const spreadUs = encodeUs(encode, spread, features.length);
  console.log(`candidate shape: ${features.length} request features of fixtures/baseline over ${candidates} candidates, encoder p50`);
  console.log(`  one hidden class ${f(sameUs, 1)} us, as built before ${f(spreadUs, 1)} us: ${f(spreadUs / sameUs, 1)}x`);
}
