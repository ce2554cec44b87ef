// Copies cached encoded rows (one item's stored features side by side) into a request buffer's feature columns.

/** Copies the rows at `slots` (a slot < 0 is skipped) into each feature's column, starting at `bases[k]`. */
export type RowCopy = (words: Int32Array, slots: Int32Array, rows: number, into: Int32Array, bases: Int32Array) => void;

/**
 * Compiles the copy for rows made of features of `widths` words, in that order: one pass over the rows with every
 * offset and width a constant, so a cache hit costs a few word moves and no per-feature loop.
 */
export function compileRowCopy(widths: readonly number[]): RowCopy {
  const rowWidth = widths.reduce((sum, w) => sum + w, 0);
  let offset = 0;
  const moves = widths.map((w, k) => {
    const from = offset;
    offset += w;
    if (w === 1) return `into[b${k} + i] = words[r + ${from}];`;
    return `for (let t = 0, to = b${k} + i * ${w}, at = r + ${from}; t < ${w}; t++) into[to + t] = words[at + t];`;
  });
  const source = `
    return function copyRows(words, slots, rows, into, bases) {
      ${widths.map((_, k) => `const b${k} = bases[${k}];`).join(' ')}
      for (let i = 0; i < rows; i++) {
        const slot = slots[i];
        if (slot < 0) continue;
        const r = slot * ${rowWidth};
        ${moves.join('\n        ')}
      }
    };`;
  return new Function(source)() as RowCopy;
}
