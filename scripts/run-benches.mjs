// Runs the named benchmark (or all of them) from dist/bench: `npm run bench -- engine`.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const wanted = process.argv.slice(2);
const all = readdirSync('dist/bench').filter((f) => f.endsWith('.bench.js')).sort();
const chosen = wanted.length ? all.filter((f) => wanted.some((w) => f.startsWith(w))) : all;
if (chosen.length === 0) {
  console.error(`no benchmark matches ${JSON.stringify(wanted)}; have: ${all.join(', ')}`);
  process.exit(1);
}
for (const file of chosen) {
  console.log(`\n## ${file}`);
  const r = spawnSync(process.execPath, ['--expose-gc', `dist/bench/${file}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
