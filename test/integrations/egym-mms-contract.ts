import { fileURLToPath } from 'node:url';
import type { Exchange } from '../../src/sandbox/egym-mms/server.js';
import { loadContract } from '../support/openapi.js';

const contract = loadContract(fileURLToPath(new URL('../../../shared/specs/egym/mms-api-v2.openapi.json', import.meta.url)));

/**
 * Checks every exchange the EGYM MMS sandbox sees against EGYM's OpenAPI file: pass `check` as the
 * sandbox's onExchange, assert `violations` is empty. 429 and 503 are the gateway's (rate limit,
 * injected faults): the spec declares neither, so they are not checked.
 */
export function mmsContractChecker(): { check(exchange: Exchange): void; violations: string[] } {
  const violations: string[] = [];
  return {
    violations,
    check({ request, response }) {
      if (response.status === 429 || response.status === 503) return;
      violations.push(...contract.checkRequest(request), ...contract.checkResponse({ method: request.method, path: request.path, ...response }));
    },
  };
}
