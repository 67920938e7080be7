import { pino, type DestinationStream, type Logger } from 'pino';

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

/** JSON lines on stdout, or on `destination` (tests read what was logged). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: redact, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
