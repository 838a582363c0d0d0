// Parses an AsyncAPI document with @asyncapi/parser (the spec's JSON Schema
// and its Spectral ruleset) and prints every diagnostic. Exits 1 when there
// is an error, or when a mapping outside the examples holds a key without a
// value: the trace of a plain YAML scalar cut at a comma inside a flow
// mapping ({description: a, b} reads as description: a plus a key "b").
// Usage: node tools/lint-asyncapi.mjs docs/asyncapi.yaml
import fs from 'node:fs';
import path from 'node:path';
import parserPkg from '@asyncapi/parser';
import yaml from 'js-yaml';

const { Parser, DiagnosticSeverity } = parserPkg;
const file = process.argv[2];
if (!file) {
  console.error('usage: lint-asyncapi.mjs <asyncapi.yaml>');
  process.exit(2);
}
const text = fs.readFileSync(file, 'utf8');
const severities = ['error', 'warning', 'info', 'hint'];

const { diagnostics } = await new Parser().parse(text, { source: path.resolve(file) });
let errors = 0;
for (const d of diagnostics) {
  const where = d.range ? `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}` : file;
  const at = d.path && d.path.length ? ` at ${d.path.join('/')}` : '';
  console.log(`${where}: ${severities[d.severity] ?? d.severity}: ${d.code}: ${d.message}${at}`);
  if (d.severity === DiagnosticSeverity.Error) errors++;
}

// A key with a null value is data inside an example; anywhere else it is
// the rest of a sentence that YAML read as a key.
const cut = [];
const walk = (v, where, inExample) => {
  if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${where}/${i}`, inExample));
  if (!v || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v)) {
    const ex = inExample || k === 'example' || k === 'examples';
    if (x === null && !ex && k !== 'default' && k !== 'const')
      cut.push(`${where}/${k}`);
    walk(x, `${where}/${k}`, ex);
  }
};
walk(yaml.load(text), '', false);
for (const p of cut)
  console.log(`${file}: error: key without a value at ${p} (a plain scalar with a comma in a flow mapping? quote it)`);
errors += cut.length;

console.log(`${file}: ${errors} error(s), ${diagnostics.length - (errors - cut.length)} other diagnostic(s)`);
process.exit(errors ? 1 : 0);
