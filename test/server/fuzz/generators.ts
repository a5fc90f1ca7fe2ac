// Seeded generators of hostile input for the server fuzz test: JSON values (deep, odd keys,
// odd numbers), mutated valid bodies, query strings, headers, raw HTTP requests, worker
// protocol frames and mutated package archives. Every case is a pure function of
// (seed, index), so a failing case is reproduced from those two numbers alone.

/** mulberry32: a small, fast, seedable PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The PRNG of case `index` under `seed`. */
export function caseRng(seed: number, index: number): Rng {
  return new Rng(prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0));
}

export class Rng {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const ODD_STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '\u0000',
  '\ud800',
  '💥',
  '../../etc/passwd',
  "' OR 1=1 --",
  'WorkflowType = ',
  '%00',
  'a'.repeat(2000),
  'greet',
  'counter',
  'default',
  'RUNNING',
];
const ODD_NUMBERS = [0, -1, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 1e-300, -0];
const FIELDS = [
  'workflowType',
  'workflowId',
  'args',
  'name',
  'query',
  'taskQueue',
  'requestId',
  'updateId',
  'headers',
  'memo',
  'searchAttributes',
  'executionTimeout',
  'runTimeout',
  'reason',
  'taskToken',
  'value',
  'retention',
  'version',
  'role',
  'workflowIdReusePolicy',
  'signal',
  'eventSeq',
];

/** A random JSON value, at most `depth` levels deep. */
export function jsonValue(r: Rng, depth: number): unknown {
  const kind = r.int(depth > 0 ? 8 : 5);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.chance(0.5) ? r.pick(ODD_NUMBERS) : r.int(1000) - 100;
    case 3:
    case 4:
      return r.chance(0.6) ? r.pick(ODD_STRINGS) : randomText(r, r.int(40));
    case 5:
    case 6: {
      const out: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--)
        out[r.chance(0.7) ? r.pick(FIELDS) : r.pick(ODD_STRINGS)] = jsonValue(r, depth - 1);
      return out;
    }
    default:
      return Array.from({ length: r.int(5) }, () => jsonValue(r, depth - 1));
  }
}

export function randomText(r: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const c = r.chance(0.9) ? 0x20 + r.int(95) : r.int(0xffff);
    s += String.fromCharCode(c);
  }
  return s;
}

/** JSON text nested `levels` deep (arrays or objects). */
export function deepJson(r: Rng, levels: number): string {
  return r.chance(0.5)
    ? `${'['.repeat(levels)}${']'.repeat(levels)}`
    : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

/** A valid-looking body for a route, then mutated. */
export function mutatedBody(r: Rng, valid: Record<string, unknown>): unknown {
  const body: Record<string, unknown> = { ...valid };
  for (let i = 1 + r.int(3); i > 0; i--) {
    const keys = Object.keys(body);
    switch (r.int(5)) {
      case 0:
        if (keys.length > 0) delete body[r.pick(keys)];
        break;
      case 1:
        if (keys.length > 0) body[r.pick(keys)] = jsonValue(r, 3);
        break;
      case 2:
        body[r.pick(FIELDS)] = jsonValue(r, 2);
        break;
      case 3:
        body[r.pick(ODD_STRINGS)] = jsonValue(r, 1);
        break;
      default:
        break; // unchanged: the valid body itself
    }
  }
  return body;
}

/** Bytes that are almost JSON: truncated, with garbage, or not JSON at all. */
export function brokenJson(r: Rng, text: string): string {
  switch (r.int(4)) {
    case 0:
      return text.slice(0, r.int(text.length + 1));
    case 1: {
      const at = r.int(text.length + 1);
      return `${text.slice(0, at)}${randomText(r, 1 + r.int(4))}${text.slice(at)}`;
    }
    case 2:
      return randomText(r, r.int(200));
    default:
      return `${text}${text}`;
  }
}

/** Percent-encodes text; a lone surrogate becomes invalid UTF-8 bytes (also worth sending). */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

/** A query string: random, repeated, percent-garbage or very long parameters. */
export function queryString(r: Rng): string {
  const keys = [
    'query',
    'pageSize',
    'cursor',
    'status',
    'workflowType',
    'runId',
    'fromSeq',
    'wait',
  ];
  const parts: string[] = [];
  for (let i = r.int(4); i > 0; i--) {
    const key = r.chance(0.8) ? r.pick(keys) : encode(randomText(r, 1 + r.int(8)));
    const value = r.pick([
      () => encode(r.pick(ODD_STRINGS)),
      () => String(r.pick(ODD_NUMBERS)),
      () => '%zz%',
      () => '%',
      () => encode(randomText(r, r.int(30))),
      () => 'x'.repeat(5000),
    ])();
    parts.push(`${key}=${value}`);
    if (r.chance(0.3)) parts.push(`${key}=${value}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Request headers with odd content types and authorization values. */
export function headers(r: Rng): Record<string, string> {
  const out: Record<string, string> = {};
  out['content-type'] = r.pick([
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'text/plain',
    'application/octet-stream',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    '',
    'application/jsonx',
  ]);
  if (r.chance(0.3))
    out.authorization = r.pick([
      'Bearer ',
      'Bearer aion_00000000_xxxxxxxxxxxxxxxxxxxxxxxx',
      'Basic Zm9vOmJhcg==',
      `Bearer ${'a'.repeat(4000)}`,
    ]);
  if (r.chance(0.2))
    out['x-aion-namespace'] = r.pick(ODD_STRINGS).replace(/[^\x21-\x7e]/g, '') || 'x';
  return out;
}

/** A raw HTTP/1.1 request that Node's parser, or the server behind it, must refuse cleanly. */
export function rawRequest(r: Rng, host: string): string {
  const path = r.pick(['/api/v1/namespaces/default/workflows', '/healthz', '/api/v1/worker', '/']);
  const head = `${r.pick(['POST', 'GET', 'PUT', 'BREW', ''])} ${path} HTTP/1.1\r\nHost: ${host}\r\n`;
  switch (r.int(6)) {
    case 0:
      return `${head}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`;
    case 1:
      return `${head}Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}{}{}{`;
    case 2:
      return `${head}Content-Length: -1\r\n\r\n`;
    case 3:
      return `${head}${randomText(r, 30).replace(/[\r\n]/g, '')}\r\n\r\n`;
    case 4:
      return `${head}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n\r\n`;
    default:
      return `${head}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}GET / HTTP/1.1\r\n\r\n`;
  }
}

/**
 * A worker-protocol message: a mutated valid frame, a batch (array) of them, random JSON, or
 * not JSON at all.
 */
export function workerFrame(r: Rng): string | Buffer {
  const valid: Record<string, unknown>[] = [
    { type: 'register', taskQueue: 'fuzz', activityTypes: ['a'], maxConcurrent: 1 },
    { type: 'register', taskQueue: 'fuzz', activityTypes: ['a'], maxConcurrent: 1, batching: true },
    { type: 'heartbeat', taskToken: 'x', details: 1 },
    { type: 'result', taskToken: 'x', status: 'completed', value: 1 },
    { type: 'result', taskToken: 'x', status: 'failed', failure: { message: 'no' } },
    { type: 'drain' },
  ];
  switch (r.int(6)) {
    case 5:
      return JSON.stringify(
        Array.from({ length: r.int(6) }, () =>
          r.chance(0.8) ? mutatedBody(r, r.pick(valid)) : jsonValue(r, 2),
        ),
      );
    case 0:
      return randomText(r, r.int(100));
    case 1:
      return Buffer.from(Array.from({ length: r.int(64) }, () => r.int(256)));
    case 2:
      return deepJson(r, 100 + r.int(5000));
    case 3:
      return JSON.stringify(jsonValue(r, 4));
    default:
      return JSON.stringify(mutatedBody(r, r.pick(valid)));
  }
}

/** A package archive with bytes flipped, cut, appended or spliced. */
export function mutatedArchive(r: Rng, archive: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(archive);
  switch (r.int(4)) {
    case 0:
      for (let i = 1 + r.int(8); i > 0; i--) bytes[r.int(bytes.length)] = r.int(256);
      return bytes;
    case 1:
      return bytes.slice(0, r.int(bytes.length));
    case 2:
      return new Uint8Array([...bytes, ...Array.from({ length: 1 + r.int(64) }, () => r.int(256))]);
    default: {
      const at = r.int(bytes.length);
      return new Uint8Array([...bytes.slice(at), ...bytes.slice(0, at)]);
    }
  }
}
