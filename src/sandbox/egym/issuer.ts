// Placeholder: the EGYM stand-in token issuer is being built.
export interface EgymIssuerOptions {
  port?: number;
  host?: string;
}

export interface EgymIssuer {
  url: string;
  jwksUrl: string;
  close(): Promise<void>;
}

export async function startEgymIssuer(_opts: EgymIssuerOptions = {}): Promise<EgymIssuer> {
  throw new Error('not built yet');
}
