import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_MEMBER, seedDemo } from '../../seeds/demo.js';
import { startTestApp, type TestApp } from '../support/app.js';

const TABLES = ['identity_types', 'locations', 'doors', 'activities', 'packages', 'package_activities', 'class_sessions', 'clients', 'client_packages'];

describe('demo seed', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  async function counts() {
    const result: Record<string, number> = {};
    for (const t of TABLES) result[t] = Number((await app.ctx.db(t).count({ n: '*' }).first())!.n);
    return result;
  }

  it('seeds a usable club and changes nothing when run again', async () => {
    await seedDemo(app.ctx);
    const first = await counts();
    expect(first).toMatchObject({ locations: 2, doors: 3, activities: 4, packages: 3, class_sessions: 42, clients: 1, client_packages: 1 });
    await seedDemo(app.ctx);
    expect(await counts()).toEqual(first);

    const login = await app.http.post('/api/v1/auth/login').send({ login: DEMO_MEMBER.email, password: DEMO_MEMBER.password });
    expect(login.status).toBe(200);
    const classes = await app.http.get('/api/v1/me/classes').set({ authorization: `Bearer ${login.body.token}` });
    expect(classes.status).toBe(200);
    const bookable = classes.body.items.find((c: { bookable: boolean }) => c.bookable);
    expect(bookable).toBeDefined();
    const booking = await app.http.post('/api/v1/me/bookings').set({ authorization: `Bearer ${login.body.token}` }).send({ sessionId: bookable.id });
    expect(booking.status).toBe(201);
  });
});
