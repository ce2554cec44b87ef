// Starts the demo gateway (`npm start`): POST /search on $PORT (default 3000); model from $AUTOFAS_MODEL.
import { createGatewayApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const gateway = await createGatewayApp();
const server = gateway.app.listen(port, () => {
  const { model, baseline } = gateway.preRanker.models();
  console.log(`autofas demo gateway on http://localhost:${port} (model ${model?.modelId}, baseline ${baseline?.modelId ?? 'none'})`);
  console.log(`try: curl -s localhost:${port}/search -H 'content-type: application/json' -d '{"user_id":"user-0001","query":"query-042","k":5}'`);
});
const stop = (): void => {
  server.close();
  void gateway.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
