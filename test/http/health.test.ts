import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';

describe('health and error format', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('answers /healthz and /readyz', async () => {
    expect((await app.http.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await app.http.get('/readyz');
    expect(ready.status).toBe(200);
  });

  it('answers unknown routes with a problem+json 404', async () => {
    const res = await app.http.get('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('refuses malformed JSON with a 400 and no stack trace', async () => {
    const res = await app.http.post('/api/v1/staff/login').set('content-type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|SyntaxError/);
  });

  it('requires a token on admin routes', async () => {
    const res = await app.http.get('/api/v1/admin/locations');
    expect([401, 404]).toContain(res.status);
  });
});
