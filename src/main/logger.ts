import pino, { type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import type { Log } from '../app/log.ts';

/**
 * Paths a line must never show in clear, whatever a caller passes by mistake: secrets, and the
 * personal fields of a contact (the lines name effects and ids instead).
 */
export const REDACTED = [
  'password',
  'token',
  'refreshToken',
  'accessToken',
  'secret',
  'authorization',
  'apiToken',
  'email',
  'phone',
  '*.password',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
  '*.secret',
  '*.authorization',
  '*.email',
  '*.phone',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

const STANDARD = new Set(['level', 'at', 'event']);
const show = (v: unknown) => (typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : typeof v === 'object' ? JSON.stringify(v) : String(v));
/** `event k=v k=v`: one line a person can read, the fields as the JSON line has them. */
const readable = (line: Record<string, unknown>, key: string) =>
  [
    String(line[key] ?? ''),
    ...Object.entries(line)
      .filter(([k]) => !STANDARD.has(k))
      .map(([k, v]) => `${k}=${show(v)}`),
  ]
    .filter(Boolean)
    .join(' ');

export type LoggerOptions = {
  /** One JSON object per line (for scripts), else readable lines. */
  json: boolean;
  /** pino's levels; OUTREACH_LOG_LEVEL, else info. */
  level?: string | undefined;
  /** Where lines go: standard error unless given. */
  destination?: NodeJS.WritableStream | undefined;
};

export type Logger = Log & pino.Logger;

/** The logger every worker and the API log through; children carry the worker's name. */
export function createLogger(opts: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? (process.env['OUTREACH_LOG_LEVEL'] || 'info'),
    messageKey: 'event',
    base: undefined,
    timestamp: () => `,"at":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED, censor: '[redacted]' },
  };
  const destination: DestinationStream = opts.json
    ? ((opts.destination as DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: true }))
    : pretty({
        sync: true,
        colorize: false,
        destination: (opts.destination as never) ?? 2,
        messageKey: 'event',
        timestampKey: 'at',
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname',
        hideObject: true,
        messageFormat: (line, key) => readable(line, key),
      });
  return pino(options, destination) as Logger;
}

/** A logger that writes nothing (tests, the demo's quiet runs). */
export const silentLogger = (): Logger => pino({ level: 'silent' }) as Logger;
