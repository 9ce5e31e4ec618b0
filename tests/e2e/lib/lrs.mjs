// tests/e2e/lib/lrs.mjs — a small Learning Record Store stand-in for the
// xAPI tests: POST {base}/statements only. It checks what any LRS checks
// (Basic auth, X-Experience-API-Version 1.0.3, a JSON body) and validates
// every statement with Learning Locker's xapi-validation package (an
// implementation independent of ours), stores statements by id, and answers
// as an LRS does: 200 with the ids; 409 when a batch holds an id it already
// has (the whole batch is then refused: nothing of it is stored); 400 when a
// statement is invalid. `mode` makes it misbehave on purpose:
//   'up'          answers as above
//   'unavailable' 503 for every request, nothing stored
//   'reject'      400 for every request, nothing stored
//   'hang'        reads the request, stores nothing, never answers
//   'store-hang'  stores the batch as 'up' would, then never answers
// Every problem it sees (bad auth, bad header, invalid statement, an id sent
// again with other content) goes into `problems`, which a test expects to
// stay empty.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const validate = require('xapi-validation').default;

/** A port nothing listens on now (it was free a moment ago). */
export async function freePort() {
  const s = http.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

export async function startLrs({ port = 0, base = '/xapi', user = 'lrs-key', password = 'lrs secret 9', mode = 'up' } = {}) {
  const lrs = {
    mode,
    statements: new Map(), // id -> statement, in arrival order
    posts: [], // {status, ids, at}
    problems: [],
    hanging: [],
    url: '',
    endpoint: '',
  };
  const expected = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const answer = (status, body) => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'X-Experience-API-Version': '1.0.3' });
        res.end(JSON.stringify(body));
      };
      const post = { status: 0, ids: [], at: Date.now() };
      lrs.posts.push(post);
      if (req.method !== 'POST' || req.url !== base + '/statements') {
        lrs.problems.push(`${req.method} ${req.url}`);
        post.status = 404;
        return answer(404, { message: 'not found' });
      }
      if (req.headers.authorization !== expected) {
        lrs.problems.push('bad or missing Basic auth');
        post.status = 401;
        return answer(401, { message: 'unauthorized' });
      }
      if (req.headers['x-experience-api-version'] !== '1.0.3') {
        lrs.problems.push(`version header ${req.headers['x-experience-api-version']}`);
        post.status = 400;
        return answer(400, { message: 'X-Experience-API-Version header missing or wrong' });
      }
      if (!/^application\/json/.test(req.headers['content-type'] || '')) lrs.problems.push(`content type ${req.headers['content-type']}`);
      let batch;
      try {
        batch = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        lrs.problems.push('body is not JSON');
        post.status = 400;
        return answer(400, { message: 'invalid JSON' });
      }
      if (!Array.isArray(batch)) batch = [batch];
      post.ids = batch.map((s) => s.id);
      if (lrs.mode === 'hang') { lrs.hanging.push(res); return; }
      if (lrs.mode === 'unavailable') { post.status = 503; return answer(503, { message: 'down for maintenance' }); }
      if (lrs.mode === 'reject') { post.status = 400; return answer(400, { message: 'statement refused by policy' }); }
      for (const s of batch) {
        const warnings = validate(s);
        if (warnings.length) {
          lrs.problems.push(`statement ${s.id}: ${warnings.map((w) => `${w.path.join('.')}: ${w.constructor.name}`).join('; ')}`);
          post.status = 400;
          return answer(400, { message: `invalid statement ${s.id}` });
        }
      }
      if (new Set(post.ids).size !== post.ids.length) {
        lrs.problems.push('the same id twice in one batch');
        post.status = 400;
        return answer(400, { message: 'duplicate ids in batch' });
      }
      const known = batch.filter((s) => lrs.statements.has(s.id));
      for (const s of known) {
        if (JSON.stringify(lrs.statements.get(s.id)) !== JSON.stringify(s)) lrs.problems.push(`statement ${s.id} sent again with other content`);
      }
      if (known.length) {
        post.status = 409;
        return answer(409, { message: `Conflict: statement id(s) already exist: ${known.map((s) => s.id).join(', ')}` });
      }
      for (const s of batch) lrs.statements.set(s.id, s);
      if (lrs.mode === 'store-hang') { post.status = 'stored, no answer'; lrs.hanging.push(res); return; }
      post.status = 200;
      return answer(200, post.ids);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  lrs.port = server.address().port;
  lrs.url = `http://127.0.0.1:${lrs.port}`;
  lrs.endpoint = lrs.url + base;
  lrs.user = user;
  lrs.password = password;
  lrs.stop = async () => {
    for (const r of lrs.hanging) r.destroy();
    lrs.hanging = [];
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
  };
  /** Answers nothing to what hangs: cuts those connections. */
  lrs.dropHanging = () => { for (const r of lrs.hanging) r.destroy(); lrs.hanging = []; };
  return lrs;
}
