// Placeholder: the Perfect Gym sandbox is being built.
export interface PerfectGymSandboxOptions {
  port?: number;
  host?: string;
  members?: number;
  seed?: number;
  pageSize?: number;
  clientId?: string;
  clientSecret?: string;
}

export interface PerfectGymSandbox {
  /** Base URL as an integration stores it (the API lives under `${url}/Api/v2.2/`). */
  url: string;
  clientId: string;
  clientSecret: string;
  demoLogins: { login: string; password: string; memberId: number }[];
  close(): Promise<void>;
}

export async function startPerfectGymSandbox(_opts: PerfectGymSandboxOptions = {}): Promise<PerfectGymSandbox> {
  throw new Error('not built yet');
}
