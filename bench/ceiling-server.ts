/**
 * The ceiling of an API row: a bare express app on the same Node answering the very bytes clubcore
 * answered (captured once), with nothing else to do. Started by bench/ceiling.ts in a process of
 * its own, like clubcore:
 *   node dist/bench/ceiling-server.js <port> <routes.json>
 * routes.json: [{ method: 'get' | 'post', path, contentType, body (base64) }].
 */
import { readFileSync } from 'node:fs';
import express from 'express';

const [port, file] = process.argv.slice(2);
const routes = JSON.parse(readFileSync(file!, 'utf8')) as { method: 'get' | 'post'; path: string; contentType: string; body: string }[];

const app = express();
// As clubcore's app: no X-Powered-By, no ETag, JSON request bodies parsed.
app.disable('x-powered-by');
app.disable('etag');
app.use(express.json({ limit: '1mb' }));
for (const route of routes) {
  const bytes = Buffer.from(route.body, 'base64');
  app[route.method](route.path, (_req, res) => {
    res.set('content-type', route.contentType).send(bytes);
  });
}
app.listen(Number(port), '127.0.0.1', () => console.log(`ceiling listening on ${port}`));
