// The clients people already use against a running `docpipe serve`:
// npm's openai (v4), @langchain/openai and ollama. Every vector is checked
// against `docpipe embed` of the same texts. Prints one line per check
// (client, call, result) and exits 1 when any fails.
//
// Environment: OPENAI_BASE (a server with --api-key API_KEY, whose model says
// it is Matryoshka-trained), PLAIN_BASE (a server without key, model not
// Matryoshka), API_KEY, MODEL_NAME, PLAIN_MODEL_NAME, DOCPIPE, MODEL_DIR.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { OpenAIEmbeddings } from '@langchain/openai';
import { Ollama } from 'ollama';
import { assertClose, docpipeEmbed, truncateAndRenormalize, vocabSize, wordIds } from './reference.mjs';

const env = process.env;
const TEXTS = ['the quick brown fox', 'hello world', 'the lazy dog is here', 'this text is long enough to be a text'];
const reference = docpipeEmbed(TEXTS);
const results = [];

async function check(client, call, body) {
  try {
    const detail = await body();
    results.push({ client, call, ok: true, detail });
  } catch (error) {
    results.push({ client, call, ok: false, detail: String(error?.stack ?? error) });
  }
}

// Keeps each request body and raw response the SDK exchanged, to show what went over the wire.
const wire = [];
async function recordingFetch(url, init) {
  const response = await fetch(url, init);
  wire.push({ url: String(url), request: init?.body ? JSON.parse(init.body) : null, response: await response.clone().text() });
  return response;
}

const openai = new OpenAI({ apiKey: env.API_KEY, baseURL: `${env.OPENAI_BASE}/v1`, maxRetries: 0, fetch: recordingFetch });
const plain = new OpenAI({ apiKey: 'unused', baseURL: `${env.PLAIN_BASE}/v1`, maxRetries: 0 });

await check('openai', 'embeddings.create (default: base64)', async () => {
  wire.length = 0;
  const reply = await openai.embeddings.create({ model: env.MODEL_NAME, input: TEXTS });
  assert.equal(wire[0].request.encoding_format, 'base64', 'the SDK asked for base64');
  assert.equal(typeof JSON.parse(wire[0].response).data[0].embedding, 'string', 'the server answered base64');
  assert.equal(reply.object, 'list');
  assert.equal(reply.model, env.MODEL_NAME);
  assert.deepEqual(reply.data.map((d) => d.index), [0, 1, 2, 3]);
  assert.ok(reply.usage.prompt_tokens >= TEXTS.join(' ').split(' ').length + 2 * TEXTS.length, 'usage counts model tokens');
  assert.equal(reply.usage.total_tokens, reply.usage.prompt_tokens);
  return `max |diff| ${assertClose(reply.data.map((d) => d.embedding), reference, 'base64')}`;
});

await check('openai', 'embeddings.create (float, one string)', async () => {
  const reply = await openai.embeddings.create({ model: env.MODEL_NAME, input: TEXTS[0], encoding_format: 'float', user: 'someone' });
  assert.equal(reply.data.length, 1);
  return `max |diff| ${assertClose([reply.data[0].embedding], [reference[0]], 'float')}`;
});

await check('openai', 'embeddings.create (token ids)', async () => {
  const ids = TEXTS.map(wordIds);
  const many = await openai.embeddings.create({ model: env.MODEL_NAME, input: ids, encoding_format: 'float' });
  const one = await openai.embeddings.create({ model: env.MODEL_NAME, input: ids[2] });
  assert.equal(many.usage.prompt_tokens, ids.flat().length + 2 * ids.length, 'ids plus [CLS] and [SEP]');
  const worst = assertClose(many.data.map((d) => d.embedding), reference, 'token-id arrays');
  assertClose([one.data[0].embedding], [reference[2]], 'one token-id array');
  const outside = await openai.embeddings.create({ model: env.MODEL_NAME, input: [[1, vocabSize()]] }).then(
    () => null, (error) => error);
  assert.ok(outside instanceof OpenAI.BadRequestError, `out-of-range id: ${outside}`);
  assert.match(outside.message, /outside the model's vocabulary/);
  assert.equal(outside.param, 'input');
  return `max |diff| ${worst}; id ${vocabSize()} -> 400 ${outside.type}`;
});

await check('openai', 'embeddings.create (dimensions)', async () => {
  const reply = await openai.embeddings.create({ model: env.MODEL_NAME, input: TEXTS, dimensions: 8 });
  assert.equal(reply.data[0].embedding.length, 8);
  const worst = assertClose(reply.data.map((d) => d.embedding), reference.map((v) => truncateAndRenormalize(v, 8)), 'dimensions');
  const refused = await plain.embeddings.create({ model: env.PLAIN_MODEL_NAME, input: 'hello', dimensions: 8 }).then(
    () => null, (error) => error);
  assert.ok(refused instanceof OpenAI.BadRequestError, `non-Matryoshka model: ${refused}`);
  assert.ok(refused.message.includes(env.PLAIN_MODEL_NAME), 'the 400 names the model');
  assert.equal(refused.param, 'dimensions');
  return `max |diff| ${worst}; non-Matryoshka model -> 400`;
});

await check('openai', 'models.list / models.retrieve', async () => {
  const ids = [];
  for await (const model of openai.models.list()) ids.push(model.id);
  assert.deepEqual(ids, [env.MODEL_NAME]);
  const model = await openai.models.retrieve(env.MODEL_NAME);
  assert.equal(model.object, 'model');
  assert.equal(model.owned_by, 'docpipe');
  const missing = await openai.models.retrieve('no-such-model').then(() => null, (error) => error);
  assert.ok(missing instanceof OpenAI.NotFoundError, `unknown model: ${missing}`);
  assert.equal(missing.code, 'model_not_found');
  return `[${ids}]; unknown id -> 404 model_not_found`;
});

await check('openai', 'wrong API key', async () => {
  const wrong = new OpenAI({ apiKey: 'not-the-key', baseURL: `${env.OPENAI_BASE}/v1`, maxRetries: 0 });
  const error = await wrong.embeddings.create({ model: env.MODEL_NAME, input: 'x' }).then(() => null, (e) => e);
  assert.ok(error instanceof OpenAI.AuthenticationError, `wrong key: ${error}`);
  assert.equal(error.status, 401);
  return '401 AuthenticationError';
});

await check('openai', 'oversized batch (2049 inputs)', async () => {
  const error = await openai.embeddings.create({ model: env.MODEL_NAME, input: Array(2049).fill('x') }).then(
    () => null, (e) => e);
  assert.ok(error instanceof OpenAI.BadRequestError, `2049 inputs: ${error}`);
  assert.match(error.message, /limit is 2048/);
  const full = await openai.embeddings.create({ model: env.MODEL_NAME, input: Array(2048).fill('x') });
  assert.equal(full.data.length, 2048);
  return '2049 -> 400 BadRequestError; 2048 served';
});

await check('@langchain/openai', 'OpenAIEmbeddings.embedQuery / embedDocuments', async () => {
  const embeddings = new OpenAIEmbeddings({ model: env.MODEL_NAME, apiKey: env.API_KEY, maxRetries: 0,
                                            configuration: { baseURL: `${env.OPENAI_BASE}/v1` } });
  const query = await embeddings.embedQuery(TEXTS[1]);
  const documents = await embeddings.embedDocuments(TEXTS);
  const worst = Math.max(assertClose([query], [reference[1]], 'embedQuery'), assertClose(documents, reference, 'embedDocuments'));
  return `max |diff| ${worst}`;
});

await check('ollama', 'embed / embeddings / list', async () => {
  const ollama = new Ollama({ host: env.PLAIN_BASE });
  const plainReference = docpipeEmbed(TEXTS);  // same model folder, same vectors
  const reply = await ollama.embed({ model: env.PLAIN_MODEL_NAME, input: TEXTS });
  assert.equal(reply.model, env.PLAIN_MODEL_NAME);
  assert.ok(reply.prompt_eval_count > 0);
  const worst = assertClose(reply.embeddings, plainReference, 'ollama embed');
  const legacy = await ollama.embeddings({ model: `${env.PLAIN_MODEL_NAME}:latest`, prompt: TEXTS[3] });
  assertClose([legacy.embedding], [plainReference[3]], 'ollama embeddings');
  const list = await ollama.list();
  assert.deepEqual(list.models.map((m) => m.name), [`${env.PLAIN_MODEL_NAME}:latest`]);
  const missing = await ollama.embed({ model: 'no-such-model', input: 'x' }).then(() => null, (e) => e);
  assert.equal(missing?.status_code, 404, `unknown model: ${missing}`);
  return `max |diff| ${worst}; unknown model -> 404`;
});

for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'} | ${r.client} | ${r.call} | ${r.detail}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
