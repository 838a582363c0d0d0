// Validates every response the integration tests received (the harness
// writes them to <run dir>/responses/*.jsonl, one JSON line each: method,
// path, status, content_type, body) against docs/openapi.yaml: the route
// template and operation of the path, the response of the status (the
// operation's own, then the document's x-common-responses, then the
// operation's `default`), its media type, and the body against its schema
// (OpenAPI 3.1 = JSON Schema 2020-12, with Ajv). An undocumented route,
// status or media type is a failure too. Prints each distinct mismatch once
// with how often it was seen and one example; exits 1 when there is any.
// Usage: node tools/check-responses.mjs docs/openapi.yaml <run dir>/responses
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;

const [docFile, dir] = process.argv.slice(2);
if (!docFile || !dir) {
  console.error('usage: check-responses.mjs <openapi.yaml> <responses dir>');
  process.exit(2);
}
const doc = yaml.load(fs.readFileSync(docFile, 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
// OpenAPI's own formats: the type says enough
for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'])
  ajv.addFormat(f, true);
ajv.addSchema(doc, 'openapi');

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const pointer = (parts) =>
  '#/' + parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

// Route templates, the most literal first: /holds/expire before /holds/{id}.
// A segment is matched whole: {id} is one or more characters other than
// '/', and a segment may mix text and parameters ({name}.csv).
const segmentRe = (seg) =>
  new RegExp('^' + seg.split(/(\{[^}]*\})/).map((part) =>
    part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('') + '$');
const routes = Object.keys(doc.paths ?? {}).map((template) => {
  const segs = template.split('/');
  return { template, segs: segs.map(segmentRe), rank: segs.map((s) => (s.includes('{') ? '1' : '0')).join('') };
});
routes.sort((a, b) => a.rank.localeCompare(b.rank));

function matchRoutes(p) {
  const segs = p.split('/');
  return routes.filter((r) => r.segs.length === segs.length && r.segs.every((re, i) => re.test(segs[i])));
}

// A response object and the JSON pointer where it is, following $ref.
function resolveResponse(obj, where) {
  for (let n = 0; obj && obj.$ref && n < 10; n++) {
    if (!obj.$ref.startsWith('#/')) throw new Error(`external $ref ${obj.$ref} at ${pointer(where)}`);
    where = obj.$ref.slice(2).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    obj = where.reduce((o, k) => (o == null ? o : o[k]), doc);
  }
  return { obj, where };
}

// The documented response for a recorded one, or a reason why there is none.
function findResponse(rec, p) {
  const matched = matchRoutes(p);
  const method = rec.method.toLowerCase();
  const status = String(rec.status);
  const common = doc['x-common-responses'] ?? {};
  let route = null;
  let op = null;
  for (const r of matched) {
    const item = doc.paths[r.template];
    const m = item[method] ? method : method === 'head' && item.get ? 'get' : null;
    if (m) {
      route = r.template;
      op = { item: item[m], where: ['paths', r.template, m] };
      break;
    }
  }
  const label = route ? `${rec.method} ${route}` : `${rec.method} (no route: ${matched.length ? 'other methods only' : 'unknown path'})`;
  if (op) {
    const rs = op.item.responses ?? {};
    for (const key of [status, `${status[0]}XX`])
      if (rs[key]) return { label, ...resolveResponse(rs[key], [...op.where, 'responses', key]) };
  }
  // the gateway's own answers: an unknown route is 404, a known path with
  // another method 405, whatever the method and path
  if (common[status]) return { label, ...resolveResponse(common[status], ['x-common-responses', status]) };
  if (op && op.item.responses?.default)
    return { label, ...resolveResponse(op.item.responses.default, [...op.where, 'responses', 'default']) };
  if (!op) return { label, error: 'the route is not in the document' };
  return { label, error: `status ${status} is not documented for this operation` };
}

const mediaType = (ct) => (ct ?? '').split(';')[0].trim().toLowerCase();
const isJson = (mt) => mt === 'application/json' || mt.endsWith('+json');

function findContent(response, mt) {
  const content = response.obj.content ?? {};
  for (const key of [mt, `${mt.split('/')[0]}/*`, '*/*'])
    if (content[key]) return { entry: content[key], where: [...response.where, 'content', key] };
  return null;
}

const validators = new Map();
function validatorFor(where) {
  const ref = 'openapi' + pointer(where);
  if (!validators.has(ref)) validators.set(ref, ajv.compile({ $ref: ref }));
  return validators.get(ref);
}

const excerpt = (s) => {
  const t = typeof s === 'string' ? s : JSON.stringify(s);
  return t.length > 300 ? t.slice(0, 300) + '…' : t;
};

const problems = new Map(); // key -> {count, text}
const covered = new Set();
function fail(label, status, what, rec) {
  const key = `${label} ${status}: ${what}`;
  const seen = problems.get(key);
  if (seen) seen.count++;
  else
    problems.set(key, {
      count: 1,
      text: `${key}\n    e.g. ${rec.method} ${rec.path} (${rec.content_type ?? 'no Content-Type'}) ${
        rec.body !== undefined ? excerpt(rec.body) : `${rec.body_len ?? 0} bytes`
      }`,
    });
}

function check(rec) {
  const p = rec.path.split('?')[0].split('#')[0];
  const status = rec.status;
  const found = findResponse(rec, p);
  if (found.error) return fail(found.label, status, found.error, rec);
  covered.add(`${found.label} ${status}`);
  const mt = mediaType(rec.content_type);
  const hasBody = rec.body !== undefined ? rec.body.length > 0 : (rec.body_len ?? 0) > 0;
  if (!hasBody) {
    // a documented body that did not come (HEAD has none by definition)
    if (rec.method !== 'HEAD' && Object.keys(found.obj.content ?? {}).length)
      fail(found.label, status, `the body is empty, but the document gives it ${Object.keys(found.obj.content).join(', ')}`, rec);
    return;
  }
  const content = findContent(found, mt);
  if (!content) {
    const listed = Object.keys(found.obj.content ?? {}).join(', ') || 'no body';
    return fail(found.label, status, `media type ${mt || '(none)'} is not documented (documented: ${listed})`, rec);
  }
  if (!isJson(mt)) return;
  if (rec.body_not_utf8) return fail(found.label, status, 'the JSON body is not UTF-8', rec);
  let body;
  try {
    body = JSON.parse(rec.body);
  } catch (e) {
    return fail(found.label, status, `the body is not JSON: ${e.message}`, rec);
  }
  if (mt === 'application/problem+json' && body && body.status !== status)
    fail(found.label, status, `the problem's status is ${body.status}, not the HTTP status`, rec);
  if (!content.entry.schema) return;
  let validate;
  try {
    validate = validatorFor([...content.where, 'schema']);
  } catch (e) {
    return fail(found.label, status, `its schema does not compile: ${e.message}`, rec);
  }
  if (!validate(body))
    for (const e of validate.errors)
      fail(found.label, status, `${e.instancePath.replace(/\/\d+(?=\/|$)/g, '/*') || '/'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`, rec);
}

let files = [];
try {
  files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
} catch {
  /* reported below */
}
if (!files.length) {
  console.error(`check-responses: no responses in ${dir}: run it after the integration tests (ctest -L 'integration|docs')`);
  process.exit(1);
}
let n = 0;
for (const f of files)
  for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
    if (!line) continue;
    n++;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      console.error(`${f}: a line that is not JSON: ${e.message}`);
      problems.set(`bad line ${f}:${n}`, { count: 1, text: `${f}: a line that is not JSON` });
      continue;
    }
    check(rec);
  }

const ops = Object.values(doc.paths ?? {}).reduce(
  (k, item) => k + METHODS.filter((m) => item[m]).length,
  0,
);
const opsSeen = new Set([...covered].map((c) => c.replace(/ \d+$/, '')).filter((c) => !c.includes('(no route')));
console.log(
  `check-responses: ${n} responses from ${files.length} test processes; ${opsSeen.size} of ${ops} operations and ${covered.size} (operation, status) pairs seen`,
);
if (problems.size) {
  const total = [...problems.values()].reduce((k, p) => k + p.count, 0);
  console.log(`check-responses: ${problems.size} distinct mismatches (${total} responses) with ${docFile}:`);
  for (const p of problems.values()) console.log(`- ${p.count}× ${p.text}`);
  process.exit(1);
}
console.log(`check-responses: every response matches ${docFile}`);
