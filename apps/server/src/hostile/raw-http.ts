import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

export type RawResponse = {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
};

/** Parses one HTTP/1.1 response (content-length or chunked body) from raw bytes. */
const parse = (data: Buffer): RawResponse | undefined => {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let rest = data.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const chunks: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(rest.subarray(0, lineEnd).toString(), 16);
      if (size === 0) break;
      if (rest.length < lineEnd + 2 + size) return undefined;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 4 + size);
    }
    return { status, headers, body: Buffer.concat(chunks).toString() };
  }
  const length = Number(headers['content-length'] ?? 0);
  if (rest.length < length) return undefined;
  return { status, headers, body: rest.subarray(0, length).toString() };
};

/**
 * Sends raw bytes, for what fetch cannot express (a spoofed Host, absolute-form targets,
 * latin1 header bytes, broken framing), and resolves with the first response.
 */
export const rawRequest = (port: number, request: string | Buffer, timeoutMs = 10_000) =>
  new Promise<RawResponse>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response to ${String(request).slice(0, 80)}`));
    }, timeoutMs);
    const finish = () => {
      const response = parse(data);
      if (!response) return false;
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
      return true;
    };
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      finish();
    });
    socket.on('close', () => {
      if (!finish()) {
        clearTimeout(timer);
        reject(new Error(`connection closed without a response: ${data.toString('latin1')}`));
      }
    });
    socket.on('error', () => {});
    socket.write(request);
  });

/** A request line and headers (`Connection: close` added), for rawRequest. */
export const rawGet = (path: string, headers: Record<string, string> = {}) =>
  `GET ${path} HTTP/1.1\r\n${Object.entries({ ...headers, Connection: 'close' })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

/**
 * A socket that sends `initial` and then nothing: `closed` resolves when the server gives
 * up on it, with what (if anything) it answered.
 */
export const holdOpen = (port: number, initial: string) => {
  const socket: Socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(answer)));
  socket.write(initial);
  return { socket, closed, isOpen: () => !socket.destroyed && socket.readyState === 'open' };
};

/** Resident memory of a process, in MB, from /proc. */
export const rssMb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
};

/** One series of a Prometheus text page. */
export const metric = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};
