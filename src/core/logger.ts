/**
 * The logging contract library code receives instead of calling `console`: a subset of pino's
 * API, so a pino logger fits as is and tests can pass `silentLogger`.
 *
 * @example
 * import pino from 'pino';
 * const log: Logger = pino();
 * log.info({ node: 7 }, 'started');
 */
export interface LogFn {
  (msg: string): void;
  (obj: object, msg?: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const ignore: LogFn = () => {};

export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
