/**
 * GET /api/v1/openapi.json is generated from the mounted routes and the zod schemas their
 * endpoints validate: every /api/v1 route is in it, it is a valid OpenAPI 3.1 document, and real
 * requests the API accepts or refuses keep to it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createApp } from '../../src/app.js';
import { isEndpoint } from '../../src/http/endpoint.js';
import { mountedRoutes } from '../../src/http/openapi.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { loadContract, type Contract } from '../support/openapi.js';

describe('the OpenAPI document of /api/v1', () => {
  let app: TestApp;
  let document: Record<string, any>;
  let contract: Contract;

  beforeAll(async () => {
    app = await startTestApp();
    const res = await app.http.get('/api/v1/openapi.json').expect(200).expect('content-type', /json/);
    document = res.body;
    const file = join(mkdtempSync(join(tmpdir(), 'clubcore-openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    contract = loadContract(file);
  });
  afterAll(() => app.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(document.openapi).toBe('3.1.0');
  });

  it('has every mounted /api/v1 route, each declaring what it takes', () => {
    const routes = mountedRoutes(createApp(app.ctx)).filter((r) => r.path.startsWith('/api/v1/'));
    expect(routes.length).toBeGreaterThan(60);
    const missing = routes.filter((r) => !document.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method]).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    const undeclared = routes.filter((r) => !r.handlers.some(isEndpoint)).map((r) => `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
  });

  it('describes bodies, parameters and access from the schemas and guards the routes mount', () => {
    const createDoor = document.paths['/api/v1/admin/doors'].post;
    expect(createDoor.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object', required: expect.arrayContaining(['title', 'doorCode', 'locationId', 'type']), properties: { doorCode: { type: 'string' } },
    });
    expect(createDoor['x-access']).toEqual({ kind: 'staff', roles: [] });
    const getClient = document.paths['/api/v1/admin/clients/{id}'].get;
    expect(getClient.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'integer' }) })]);
    expect(document.paths['/api/v1/admin/staff'].post['x-access']).toEqual({ kind: 'staff', roles: ['admin'] });
    expect(document.paths['/api/v1/me/bookings'].post['x-access']).toEqual({ kind: 'member' });
    expect(document.paths['/api/v1/auth/login'].post.security).toBeUndefined();
    expect(document.paths['/api/v1/admin/clients'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor', 'q']));
  });

  it('matches what the API accepts and refuses', async () => {
    const auth = { authorization: `Bearer ${await app.staffToken('admin')}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const location = { name: 'Contract gym', timezone: 'Europe/Berlin' };
    expect(contract.checkRequest({ method: 'post', path: '/api/v1/admin/locations', headers: json, body: location })).toEqual([]);
    const created = await app.http.post('/api/v1/admin/locations').set(auth).send(location).expect(201);
    const door = { title: 'Gate', doorCode: 'CONTRACT-1', locationId: created.body.id, type: 'entrance' };
    expect(contract.checkRequest({ method: 'post', path: '/api/v1/admin/doors', headers: json, body: door })).toEqual([]);
    await app.http.post('/api/v1/admin/doors').set(auth).send(door).expect(201);

    const bad = { title: '', doorCode: 'X', locationId: 'one', type: 'window' };
    expect(contract.checkRequest({ method: 'post', path: '/api/v1/admin/doors', headers: json, body: bad }).length).toBeGreaterThan(0);
    const refused = await app.http.post('/api/v1/admin/doors').set(auth).send(bad).expect(400);
    expect(contract.checkResponse({ method: 'post', path: '/api/v1/admin/doors', status: 400, headers: refused.headers, body: refused.body })).toEqual([]);
  });
});
