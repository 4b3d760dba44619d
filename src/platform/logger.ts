import { pino, type Logger } from 'pino';
import type { Config } from '../config/config.js';

/** JSON logs on stdout (one line each), UTC ISO-8601 timestamps, credentials redacted. */
export function createLogger(level: Config['logLevel']): Logger {
  return pino({
    level,
    base: { service: 'switchyard', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['authorization', '*.authorization', 'token', '*.token', 'password', '*.password'],
      censor: '[redacted]',
    },
  });
}
