import type { RunContext } from '../jobs/types.js';

export interface Integration<C = Record<string, unknown>, S = Record<string, unknown>> {
  id: number;
  /** The registered type (see registry.ts). */
  type: string;
  name: string;
  active: boolean;
  config: C;
  /** null when the SECRETS_KEY this instance runs with cannot decrypt them: read them with secretsOf(). */
  secrets: S | null;
  credentialsStatus: 'unknown' | 'ok' | 'failing';
  credentialsDetail: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A claimed run of one of an integration's jobs. */
export interface IntegrationRun extends RunContext {
  integration: Integration;
}
