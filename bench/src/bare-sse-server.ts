// The baseline: SSE broadcast on bare node:http, each frame encoded once and written to every
// connection. POST /publish answers 202 {sequence}, then broadcasts; GET /rss reports memory.
import { createServer, type ServerResponse } from 'node:http';

const clients = new Set<ServerResponse>();
let sequence = 0;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/stream')) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('retry: 1000\n\n');
    clients.add(res);
    res.on('close', () => clients.delete(res));
    return;
  }
  if (req.method === 'GET' && req.url === '/rss') {
    res.end(JSON.stringify({ rss: process.memoryUsage().rss }));
    return;
  }
  if (req.method === 'POST' && req.url === '/publish') {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const id = ++sequence;
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sequence: id }));
      const frame = Buffer.from(
        `id: ${id}\ndata: ${JSON.stringify({ globalSequence: id, payload: JSON.parse(body) })}\n\n`,
      );
      setImmediate(() => {
        for (const client of clients) client.write(frame);
      });
    });
    return;
  }
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
});
