// Turns zod issues into one readable line that names each field path and what was wrong.
import type { z } from 'zod';

/** `features[3].hashBuckets: expected number, received string; ...` */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
}

/** `['features', 3, 'name']` -> `features[3].name` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}
