// tests/e2e/lib/http.mjs — raw HTTP over a TCP socket, for requests fetch()
// refuses to send (bad methods, malformed targets, absurd headers, bodies
// cut in pieces).
import net from 'node:net';

/** Sends raw bytes and resolves with {status, headers, body, raw} of the first response. */
export function rawRequest(port, bytes, { timeoutMs = 10000, chunks } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('timeout; got: ' + data.toString('latin1').slice(0, 300))); }, timeoutMs);
    sock.on('connect', async () => {
      if (chunks) {
        for (const c of chunks) {
          if (sock.destroyed) break;
          sock.write(c);
          await new Promise((r) => setTimeout(r, 5));
        }
      } else {
        sock.write(bytes);
      }
    });
    sock.on('data', (d) => {
      data = Buffer.concat([data, d]);
      const parsed = parse(data);
      if (parsed) { clearTimeout(timer); sock.destroy(); resolve(parsed); }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      const parsed = parse(data, true);
      if (parsed) resolve(parsed); else reject(new Error('connection closed without a response: ' + data.toString('latin1')));
    });
  });
}

function parse(buf, final = false) {
  const s = buf.toString('latin1');
  const end = s.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = s.slice(0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
  if (!m) return null;
  const headers = {};
  for (const h of head.slice(1)) {
    const i = h.indexOf(':');
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  const bodyStart = end + 4;
  const len = headers['content-length'] !== undefined ? Number(headers['content-length']) : null;
  const body = buf.subarray(bodyStart);
  if (len !== null && body.length < len && !final) return null;
  if (len === null && headers['transfer-encoding'] && !final) return null;
  return { status: Number(m[1]), headers, body: body.toString('utf8'), raw: s };
}
