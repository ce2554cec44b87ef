// Moves encoded rows (one item's stored features side by side, as the row cache keeps them) to and from a request
// buffer's feature columns.

/** Copies between the rows at `slots` (a slot < 0 is skipped) and each feature's column, starting at `bases[k]`. */
export type RowCopy = (words: Int32Array, slots: Int32Array, rows: number, columns: Int32Array, bases: Int32Array) => void;

/** Both directions for rows made of features of `widths` words, in that order. */
export interface RowCopies {
  /** Cached rows into the request's columns (cache hits). */
  readonly toColumns: RowCopy;
  /** The request's columns into cached rows (misses, once fetched and encoded). */
  readonly toRows: RowCopy;
}

/**
 * Compiles the copies for rows made of features of `widths` words: one pass over the rows with every offset and width
 * a constant, so a row costs a few word moves and no per-feature loop.
 */
export function compileRowCopy(widths: readonly number[]): RowCopies {
  return { toColumns: compile(widths, true), toRows: compile(widths, false) };
}

function compile(widths: readonly number[], toColumns: boolean): RowCopy {
  const rowWidth = widths.reduce((sum, w) => sum + w, 0);
  const move = (column: string, row: string): string => (toColumns ? `columns[${column}] = words[${row}];` : `words[${row}] = columns[${column}];`);
  let offset = 0;
  const moves = widths.map((w, k) => {
    const from = offset;
    offset += w;
    if (w === 1) return move(`b${k} + i`, `r + ${from}`);
    return `for (let t = 0, c = b${k} + i * ${w}, at = r + ${from}; t < ${w}; t++) ${move('c + t', 'at + t')}`;
  });
  const source = `
    return function copyRows(words, slots, rows, columns, bases) {
      ${widths.map((_, k) => `const b${k} = bases[${k}];`).join(' ')}
      ${toColumns ? touchRows(rowWidth) : ''}
      for (let i = 0; i < rows; i++) {
        const slot = slots[i];
        if (slot < 0) continue;
        const r = slot * ${rowWidth};
        ${moves.join('\n        ')}
      }
    };`;
  return new Function('sink', source)(SINK) as RowCopy;
}

/**
 * A first pass over the cached rows that only reads each row's first and last word. The rows sit at random places in
 * the slab, mostly out of cache; the copy's own loop is too long for the CPU to run ahead by more than a row or two,
 * so its misses come one after another, while this short loop has many in flight. The sum goes to `SINK` so the
 * reads are not optimised away.
 */
function touchRows(rowWidth: number): string {
  return `let sum = 0;
      for (let i = 0; i < rows; i++) {
        const slot = slots[i];
        if (slot >= 0) sum += words[slot * ${rowWidth}] + words[slot * ${rowWidth} + ${rowWidth - 1}];
      }
      sink.touched = sum;`;
}

/** Where the touching pass leaves its sum (never read: see `touchRows`). */
const SINK = { touched: 0 };
