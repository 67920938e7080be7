import type { CredentialsVerifier } from '../auth/member-login.js';
import type { AppContext } from '../context.js';
import type { TokenSignInDefinition } from './definition.js';
import { definitionOf, integrationTypes } from './registry.js';
import { listActiveIntegrations } from './service.js';

/** The password checks of every active integration that holds member credentials, named for passport. */
export async function remotePasswordVerifiers(ctx: AppContext): Promise<[string, CredentialsVerifier][]> {
  return (await listActiveIntegrations(ctx)).flatMap((integration) => {
    const signIn = definitionOf(integration.type).passwordSignIn;
    return signIn ? [[`${integration.type}:${integration.id}`, signIn(integration)] as [string, CredentialsVerifier]] : [];
  });
}

/** Token sign-ins the registered types offer, each with its active integrations looked up per call. */
export function tokenSignIns(): { path: string; signIn(ctx: AppContext, token: string): ReturnType<TokenSignInDefinition['signIn']> }[] {
  return integrationTypes().flatMap((d) =>
    d.tokenSignIn ? [{ path: d.tokenSignIn.path, signIn: async (ctx: AppContext, token: string) => d.tokenSignIn!.signIn(ctx, await listActiveIntegrations(ctx, d.type), token) }] : [],
  );
}
