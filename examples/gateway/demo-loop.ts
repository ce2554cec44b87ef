// The demo's operating loop: flags from a JSON file (OpenFeature flagd provider, file mode), A/B split, metrics, status page, teacher logs.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlagdProvider } from '@openfeature/flagd-provider';
import { OpenFeature } from '@openfeature/server-sdk';
import { loadFeatureSpec } from '../../src/schema/feature-spec.js';
import { createFlagEvaluator } from '../../src/index.js';
import { createGatewayApp } from './app.js';
import type { Gateway, GatewayOptions } from './app.js';

const DEFAULT_FLAGS = fileURLToPath(new URL('../../../examples/gateway/flags.json', import.meta.url));
const SPEC = fileURLToPath(new URL('../../../fixtures/world/features.json', import.meta.url));

export interface DemoLoopOptions {
  /** Working directory: `flags.json`, `teacher-logs/`, `models/`. @default $AUTOFAS_VAR, else ./var */
  readonly varDir?: string;
  /** Flag file (flagd flag definitions), watched for edits. @default <varDir>/flags.json, copied from examples/gateway/flags.json when missing */
  readonly flagsFile?: string;
  /** Admin token for POST /autofas/reload. @default $AUTOFAS_ADMIN_TOKEN, else a random one */
  readonly token?: string;
  /** Further gateway options (candidates, pre-ranker options, ...). @default {} */
  readonly gateway?: GatewayOptions;
}

export interface DemoLoop {
  readonly gateway: Gateway;
  readonly flagsFile: string;
  readonly token: string;
  readonly logDir: string;
  /** `POST /autofas/reload` loads artifact directories from under here. */
  readonly modelsRoot: string;
  close(): Promise<void>;
}

/**
 * Reads the flag file into the `autofas` domain through flagd's in-process resolver (no flagd daemon, no network). The
 * provider then polls the file for edits every 5 s (`fs.watchFile`, no option to change it); calling this again reads
 * it now, as that poll does.
 */
export function readFlagFile(flagsFile: string): Promise<void> {
  return OpenFeature.setProviderAndWait('autofas', new FlagdProvider({ resolverType: 'in-process', offlineFlagSourcePath: flagsFile }));
}

/** Starts the loop: sets the flagd provider (file mode) for the `autofas` domain, then builds the gateway with everything on. */
export async function startDemoLoop(options: DemoLoopOptions = {}): Promise<DemoLoop> {
  const varDir = resolve(options.varDir ?? process.env.AUTOFAS_VAR ?? 'var');
  const flagsFile = resolve(options.flagsFile ?? join(varDir, 'flags.json'));
  const logDir = join(varDir, 'teacher-logs');
  const modelsRoot = join(varDir, 'models');
  mkdirSync(modelsRoot, { recursive: true });
  if (!existsSync(flagsFile)) copyFileSync(DEFAULT_FLAGS, flagsFile);
  const token = options.token ?? process.env.AUTOFAS_ADMIN_TOKEN ?? randomBytes(18).toString('base64url');
  await readFlagFile(flagsFile);
  let gateway: Gateway;
  try {
    gateway = await createGatewayApp({
      ...options.gateway,
      preRank: { flags: createFlagEvaluator(), ...options.gateway?.preRank },
      // Files complete every minute, so `autofas ab-report --logs var/teacher-logs` has data while the demo runs.
      teacherLog: { sink: { dir: logDir, maxAgeMs: 60_000, checkIntervalMs: 5_000 }, spec: await loadFeatureSpec(SPEC), ...options.gateway?.teacherLog },
      admin: { token, modelsRoot, ...options.gateway?.admin },
    });
  } catch (err) {
    await OpenFeature.close(); // the provider's file watcher would keep the process alive
    throw err;
  }
  const close = async (): Promise<void> => {
    await gateway.close();
    await OpenFeature.close();
  };
  return { gateway, flagsFile, token, logDir, modelsRoot, close };
}
