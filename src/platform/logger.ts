import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config/config.js';

/** JSON logs on stdout (one line each), UTC ISO-8601 timestamps, credentials redacted. */
export function createLogger(level: Config['logLevel'], destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'switchyard', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      // Channel credentials are never logged by our code; these paths catch a careless `{ input }`.
      paths: [
        'authorization',
        '*.authorization',
        'token',
        '*.token',
        'password',
        '*.password',
        'credentials',
        '*.credentials',
        'accessToken',
        '*.accessToken',
        'webhookSecret',
        '*.webhookSecret',
        'clientSecret',
        '*.clientSecret',
        'refreshToken',
        '*.refreshToken',
        'verificationToken',
        '*.verificationToken',
        'secretKey',
        '*.secretKey',
        'secretAccessKey',
        '*.secretAccessKey',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
