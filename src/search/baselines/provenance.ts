// Provenance of a trained model: hashes of the source logs and spec, and the tool version, for its model card.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { BaselineProvenance } from './export.js';

/** sha256 over the bytes of each file in order (each file's length is mixed in, so a split point changes it). */
export async function filesSha256(paths: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const path of paths) {
    let length = 0;
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
    hash.update(`\0${length}\0`);
  }
  return hash.digest('hex');
}

/** The package version from package.json (two or three levels up from this module, in src or dist/src). */
export async function toolVersion(): Promise<string> {
  for (const rel of ['../../../package.json', '../../../../package.json']) {
    try {
      const pkg = JSON.parse(await readFile(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'autofas' && pkg.version) return `autofas/${pkg.version}`;
    } catch {
      // not at this level
    }
  }
  return 'autofas/unknown';
}

/** Provenance of a model trained from `logs` and `specPath` by `command`. */
export async function provenanceOf(logs: readonly string[], specPath: string, command: string): Promise<BaselineProvenance> {
  const [logsHash, specHash, version] = await Promise.all([filesSha256(logs), filesSha256([specPath]), toolVersion()]);
  return { logsHash, specHash, toolVersion: version, command };
}
