// Starts the demo gateway (`npm start`): POST /search on $PORT (default 3000) with flags, A/B split, metrics, status page and teacher logs.
import { startDemoLoop } from './demo-loop.js';

const port = Number(process.env.PORT ?? 3000);
const loop = await startDemoLoop();
const server = loop.gateway.app.listen(port, () => {
  const { model, baseline } = loop.gateway.preRanker.models();
  const tokenNote = process.env.AUTOFAS_ADMIN_TOKEN ? '$AUTOFAS_ADMIN_TOKEN' : `${loop.token} (random; set AUTOFAS_ADMIN_TOKEN to fix it)`;
  console.log(`autofas demo gateway on http://localhost:${port} (model ${model?.modelId}, baseline ${baseline?.modelId ?? 'none'})`);
  console.log(`  status page  http://localhost:${port}/autofas/   metrics http://localhost:${port}/autofas/metrics`);
  console.log(`  flags        ${loop.flagsFile} (edits apply within 5 s)`);
  console.log(`  teacher logs ${loop.logDir}`);
  console.log(`  admin token  ${tokenNote}; POST /autofas/reload {"dir": "<artifact dir under ${loop.modelsRoot}>"}`);
  console.log(`try: curl -s localhost:${port}/search -H 'content-type: application/json' -d '{"user_id":"user-0001","query":"query-042","k":5}'`);
  console.log(`load: npm run demo:load`);
});
const stop = (): void => {
  server.close();
  void loop.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
