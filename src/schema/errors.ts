// Coded errors shared by every layer: one helper makes them, tests assert on `code`.

/** Every stable error code AutoFAS throws or reports. */
export const ERROR_CODES = [
  'ERR_AUTOFAS_OPTION',
  'ERR_AUTOFAS_FEATURE_SPEC',
  'ERR_AUTOFAS_LOG_PARSE',
  'ERR_AUTOFAS_LOG_FIELD',
  'ERR_AUTOFAS_LOG_EMPTY',
  'ERR_AUTOFAS_LOG_GZIP',
  'ERR_AUTOFAS_LOG_READ',
  'ERR_AUTOFAS_LOG_DIR',
  'ERR_AUTOFAS_MODEL_CARD',
  'ERR_AUTOFAS_MODEL_SCHEMA',
  'ERR_AUTOFAS_MODEL_FILES',
  'ERR_AUTOFAS_GRAPH',
  'ERR_AUTOFAS_NO_GRADIENT',
  'ERR_AUTOFAS_NONFINITE_LOSS',
  'ERR_AUTOFAS_SEARCH',
  'ERR_AUTOFAS_PROFILE',
  'ERR_AUTOFAS_BAD_CANDIDATES',
  'ERR_AUTOFAS_BAD_CONTEXT',
  'ERR_AUTOFAS_TOO_MANY_CANDIDATES',
  'ERR_AUTOFAS_SCORER',
  'ERR_AUTOFAS_TIMEOUT',
  'ERR_AUTOFAS_BREAKER_OPEN',
  'ERR_AUTOFAS_OVERLOAD',
  'ERR_AUTOFAS_STORE_BREAKER_OPEN',
  'ERR_AUTOFAS_FLAGS',
  'ERR_AUTOFAS_STORE',
  'ERR_AUTOFAS_STORE_FEATURES',
  'ERR_AUTOFAS_RELOAD',
  'ERR_AUTOFAS_CLOSED',
  'ERR_AUTOFAS_ADMIN_AUTH',
  'ERR_AUTOFAS_ADMIN_DISABLED',
  'ERR_AUTOFAS_ADMIN_PATH',
  'ERR_AUTOFAS_ADMIN_BUSY',
  'ERR_AUTOFAS_ADMIN_BODY',
] as const;

export type AutofasErrorCode = (typeof ERROR_CODES)[number];

/** An Error with a stable machine-readable `code` and optional structured details. */
export class AutofasError extends Error {
  readonly code: AutofasErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: AutofasErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AutofasError';
    this.code = code;
    this.details = details;
  }
}

/** The one place errors are made: `autofasError('ERR_AUTOFAS_MODEL_CARD', 'model.json: ...')`. */
export function autofasError(
  code: AutofasErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): AutofasError {
  return new AutofasError(code, message, details, cause);
}

/** A TypeError for a bad option, coded ERR_AUTOFAS_OPTION, echoing the value as the conventions ask. */
export function optionError(name: string, expectation: string, value: unknown, hint = ''): TypeError & { code: string } {
  const err = new TypeError(`\`${name}\` ${expectation}, got ${describeValue(value)}${hint ? `; ${hint}` : ''}`) as TypeError & {
    code: string;
  };
  err.code = 'ERR_AUTOFAS_OPTION';
  return err;
}

/** A short, safe rendering of any value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** True when `err` is an Error carrying the given code. */
export function hasCode(err: unknown, code: AutofasErrorCode): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
