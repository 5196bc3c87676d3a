// A child process holding many SSE connections, so the clients do not share the server's
// event loop. argv: url connections expectedCount. Prints {"ready":true} once every
// connection is open, then one JSON line of arrival times per event id, then exits.
import { type ClientRequest, get } from 'node:http';

const [url = '', connectionsArg = '1', expectedArg = '0', timeoutArg = '60000'] =
  process.argv.slice(2);
const connections = Number(connectionsArg);
const expected = Number(expectedArg);
const now = () => performance.timeOrigin + performance.now();
const arrivals = new Map<number, number[]>();
const requests: ClientRequest[] = [];
let open = 0;
let complete = 0;

let finished = false;
const finish = () => {
  if (finished) return;
  finished = true;
  for (const request of requests) request.destroy();
  // Times as offsets from one base, rounded to 10 µs, to keep the line short.
  const base = Math.min(...[...arrivals.values()].flat(), now());
  const compact = [...arrivals].map(([id, times]) => [
    id,
    times.map((t) => Math.round((t - base) * 100) / 100),
  ]);
  // Exit only once the line is written: stdout to a pipe is asynchronous.
  process.stdout.write(`${JSON.stringify({ base, arrivals: compact })}\n`, () => process.exit(0));
};
setTimeout(finish, Number(timeoutArg)).unref();

for (let i = 0; i < connections; i++) {
  const request = get(
    url,
    { agent: false, headers: { accept: 'text/event-stream' } },
    (response) => {
      let seen = 0;
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const at = now();
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(message)?.[1];
          if (id !== undefined) {
            const list = arrivals.get(Number(id)) ?? [];
            list.push(at);
            arrivals.set(Number(id), list);
            if (++seen === expected && ++complete === connections) finish();
          }
          end = buffer.indexOf('\n\n');
        }
      });
      if (++open === connections) process.stdout.write('{"ready":true}\n');
    },
  );
  request.on('error', () => {});
  requests.push(request);
}
