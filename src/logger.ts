import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths whose values must never reach a log line. */
const redact = [
  'req.headers.authorization',
  'req.headers["x-client-secret"]',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.clientSecret',
  '*.secrets',
  '*.hs256Secret',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: redact, censor: '[redacted]' } });
}
