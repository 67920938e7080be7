import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

/**
 * Integration secrets are stored AES-256-GCM encrypted: base64(iv | tag | ciphertext).
 * The key is SECRETS_KEY; production refuses to start without it (config), and outside
 * production a key is generated once and kept next to the SQLite file so restarts can decrypt.
 */
export function secretsKey(config: Config): Buffer {
  if (config.SECRETS_KEY) return Buffer.from(config.SECRETS_KEY, 'base64');
  const file = join(dirname(config.SQLITE_FILE), 'secrets.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

export function encryptSecrets(key: Buffer, secrets: object): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

export function decryptSecrets(key: Buffer, sealed: string): Record<string, unknown> {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
}

/** An integration's secrets, or a 503 that says how to recover when this SECRETS_KEY cannot decrypt them. */
export function secretsOf<S>(integration: { id: number; name: string; secrets: S | null }): S {
  if (integration.secrets === null) {
    throw AppError.unavailable(
      `The secrets of integration ${integration.id} (${integration.name}) cannot be decrypted with the SECRETS_KEY clubcore runs with: ` +
        `start it with the key they were saved with, or enter them again (PATCH /api/v1/admin/integrations/${integration.id} with secrets)`,
    );
  }
  return integration.secrets;
}
