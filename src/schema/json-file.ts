// Reads a JSON file for a loader: its text and parsed value, or the loader's coded error naming the file and the cause.
import { readFile } from 'node:fs/promises';
import { autofasError, type AutofasErrorCode } from './errors.js';

/** The file's text and JSON value; an unreadable file or bad JSON throws `code` naming `path` and `what` it holds. */
export async function readJsonFile(path: string, code: AutofasErrorCode, what: string): Promise<{ text: string; json: unknown }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw autofasError(code, `${path}: cannot read ${what} (${(err as Error).message})`, { path }, err);
  }
  try {
    return { text, json: JSON.parse(text) };
  } catch (err) {
    throw autofasError(code, `${path}: not valid JSON (${(err as Error).message})`, { path }, err);
  }
}
