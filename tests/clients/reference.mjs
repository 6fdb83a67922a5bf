// The reference every client result is checked against: `docpipe embed` of
// the same texts, run as a separate process, and the model's own vocabulary
// for token-id inputs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

export const TOLERANCE = 1e-6;

export function docpipeEmbed(texts) {
  const out = execFileSync(process.env.DOCPIPE, ['embed', '--model', process.env.MODEL_DIR, '--json', ...texts],
                           { encoding: 'utf8', maxBuffer: 64 << 20 });
  const vectors = JSON.parse(out).vectors;
  assert.equal(vectors.length, texts.length, 'docpipe embed gave one vector per text');
  return vectors;
}

// Ids of whitespace-separated words that are whole entries of vocab.txt
// (the texts used here are chosen so that every word is).
export function wordIds(text) {
  const vocab = readFileSync(`${process.env.MODEL_DIR}/vocab.txt`, 'utf8').split('\n');
  return text.split(' ').map((word) => {
    const id = vocab.indexOf(word);
    assert.ok(id >= 0, `"${word}" is a whole token of the vocabulary`);
    return id;
  });
}

export function vocabSize() {
  return readFileSync(`${process.env.MODEL_DIR}/vocab.txt`, 'utf8').split('\n').filter((l) => l.length > 0).length;
}

export function truncateAndRenormalize(vector, width) {
  const cut = vector.slice(0, width);
  const norm = Math.sqrt(cut.reduce((sum, v) => sum + v * v, 0));
  return cut.map((v) => v / norm);
}

export function maxAbsDifference(a, b) {
  assert.equal(a.length, b.length, 'vector lengths agree');
  let worst = 0;
  for (let i = 0; i < a.length; ++i) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

// Every vector within TOLERANCE of its reference; returns the worst difference.
export function assertClose(got, expected, what) {
  assert.equal(got.length, expected.length, `${what}: one vector per input`);
  let worst = 0;
  for (let i = 0; i < got.length; ++i) worst = Math.max(worst, maxAbsDifference(Array.from(got[i]), expected[i]));
  assert.ok(worst <= TOLERANCE, `${what}: max |difference| ${worst} > ${TOLERANCE}`);
  return worst;
}
