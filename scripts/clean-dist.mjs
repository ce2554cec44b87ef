// Removes dist/ before the package build, so no stale output from moved or deleted sources reaches the tarball.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
