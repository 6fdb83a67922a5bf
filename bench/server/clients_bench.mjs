// /v1/embeddings throughput through the OpenAI SDK against the raw HTTP call,
// base64 against float, on one running `docpipe serve`. The anchor is the raw
// float call, measured in the same run; every other row prints its ratio.
// Also prints the bytes per vector on the wire and the client's decode time
// per vector (JSON numbers against base64), the JSON encoding cost.
//
// Usage: node clients_bench.mjs BASE_URL MODEL [BATCH=64] [SECONDS=10]
// (run from a folder with the tests/clients npm packages installed; see run_clients.sh)
import OpenAI from 'openai';

const [base, model, batchArg, secondsArg] = process.argv.slice(2);
const batch = Number(batchArg ?? 64);
const seconds = Number(secondsArg ?? 10);
const words = 'the quick brown fox jumps over the lazy dog while the sun sets over the hills'.split(' ');
const texts = Array.from({ length: batch }, (_, i) => words.slice(i % 5, (i % 5) + 10).join(' ') + ` ${i}`);

async function rawCall(format) {
  const response = await fetch(`${base}/v1/embeddings`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, input: texts, encoding_format: format }),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(body);
  const start = process.hrtime.bigint();
  const data = JSON.parse(body).data;
  const vectors = data.map((d) => {
    if (format !== 'base64') return d.embedding;
    const bytes = Buffer.from(d.embedding, 'base64');  // a view into a shared pool: copy out its own bytes
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  });
  const decodeNs = Number(process.hrtime.bigint() - start);
  return { vectors, bytes: body.length, decodeNs };
}

const sdk = new OpenAI({ apiKey: 'unused', baseURL: `${base}/v1`, maxRetries: 0 });
async function sdkCall(format) {
  const request = { model, input: texts };
  if (format === 'float') request.encoding_format = 'float';
  const reply = await sdk.embeddings.create(request);
  return { vectors: reply.data.map((d) => d.embedding), bytes: 0, decodeNs: 0 };
}

async function measure(name, call) {
  await call();  // warm-up
  let requests = 0, bytes = 0, decodeNs = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const result = await call();
    if (result.vectors.length !== batch) throw new Error(`${name}: ${result.vectors.length} vectors`);
    requests += 1; bytes += result.bytes; decodeNs += result.decodeNs;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { name, vectorsPerSecond: (requests * batch) / elapsed, msPerRequest: (elapsed * 1000) / requests,
           bytesPerVector: bytes / (requests * batch), decodeUsPerVector: decodeNs / 1000 / (requests * batch) };
}

const rows = [
  await measure('raw HTTP, float (anchor)', () => rawCall('float')),
  await measure('raw HTTP, base64', () => rawCall('base64')),
  await measure('openai SDK, default (base64)', () => sdkCall('base64')),
  await measure('openai SDK, float', () => sdkCall('float')),
];
const anchor = rows[0].vectorsPerSecond;
console.log(`batch ${batch} texts per request, ${seconds} s per row, one connection`);
console.log('| call | vectors/s | ms/request | ratio to raw float | bytes/vector | client decode µs/vector |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const raw = r.bytesPerVector > 0;
  console.log(`| ${r.name} | ${r.vectorsPerSecond.toFixed(0)} | ${r.msPerRequest.toFixed(2)} | ${(r.vectorsPerSecond / anchor).toFixed(2)}x | ` +
              `${raw ? r.bytesPerVector.toFixed(0) : '-'} | ${raw ? r.decodeUsPerVector.toFixed(1) : '-'} |`);
}
