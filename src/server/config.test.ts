import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, isLoopback, loadConfig, validateConfig } from './config.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('loadConfig', () => {
  it('turns prepared statements of a PostgreSQL store off from the file or the environment', () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-config-'));
    dir = d;
    expect(loadConfig({ cwd: d, env: {} }).postgresPreparedStatements).toBe(true);
    const off = { AION_POSTGRES_PREPARED_STATEMENTS: 'false' };
    expect(loadConfig({ cwd: d, env: off }).postgresPreparedStatements).toBe(false);
    writeFileSync(path.join(d, 'aion.config.json'), '{ "postgresPreparedStatements": false }');
    expect(loadConfig({ cwd: d, env: {} }).postgresPreparedStatements).toBe(false);
    expect(() =>
      loadConfig({ cwd: d, env: { AION_POSTGRES_PREPARED_STATEMENTS: 'sometimes' } }),
    ).toThrow(/environment: postgresPreparedStatements/);
  });

  it('takes the console settings from the file, the environment and flags', () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-config-'));
    dir = d;
    expect(loadConfig({ cwd: d, env: {} })).toMatchObject({
      console: true,
      consoleDir: undefined,
      consoleSessionTtl: 3_600_000,
    });
    writeFileSync(
      path.join(d, 'aion.config.json'),
      JSON.stringify({ console: false, consoleDir: 'ui', consoleSessionTtl: '30m' }),
    );
    expect(loadConfig({ cwd: d, env: {} })).toMatchObject({
      console: false,
      consoleDir: 'ui',
      consoleSessionTtl: 1_800_000,
    });
    const fromEnv = loadConfig({
      cwd: d,
      env: { AION_CONSOLE: 'true', AION_CONSOLE_DIR: 'web', AION_CONSOLE_SESSION_TTL: '120000' },
    });
    expect(fromEnv).toMatchObject({ console: true, consoleDir: 'web', consoleSessionTtl: 120_000 });
    expect(
      loadConfig({ cwd: d, env: {}, flags: { consoleSessionTtl: '2h' } }).consoleSessionTtl,
    ).toBe(7_200_000);
    expect(() => loadConfig({ cwd: d, env: { AION_CONSOLE_SESSION_TTL: 'soon' } })).toThrow(
      /environment: consoleSessionTtl must be a duration/,
    );
    expect(() => validateConfig({ ...DEFAULT_CONFIG, consoleSessionTtl: 1000 })).toThrow(
      /consoleSessionTtl must be between 1 minute and 7 days/,
    );
  });

  it('takes traceUrl from the file, the environment or a flag, and checks it at startup', () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-config-'));
    dir = d;
    const jaeger = 'http://127.0.0.1:16686/trace/{traceId}';
    expect(loadConfig({ cwd: d, env: {} }).traceUrl).toBeUndefined();
    writeFileSync(path.join(d, 'aion.config.json'), JSON.stringify({ traceUrl: jaeger }));
    expect(loadConfig({ cwd: d, env: {} }).traceUrl).toBe(jaeger);
    const tempo = 'https://grafana.example/explore?trace={traceId}';
    expect(loadConfig({ cwd: d, env: { AION_TRACE_URL: tempo } }).traceUrl).toBe(tempo);
    expect(
      loadConfig({ cwd: d, env: { AION_TRACE_URL: tempo }, flags: { traceUrl: jaeger } }).traceUrl,
    ).toBe(jaeger);

    expect(() => validateConfig({ ...DEFAULT_CONFIG, traceUrl: jaeger })).not.toThrow();
    expect(() => validateConfig({ ...DEFAULT_CONFIG, traceUrl: tempo })).not.toThrow();
    expect(() =>
      validateConfig({ ...DEFAULT_CONFIG, traceUrl: 'http://127.0.0.1:16686/trace/' }),
    ).toThrow(/traceUrl must contain \{traceId\} where the trace id goes/);
    for (const notHttp of ['javascript:alert({traceId})', 'ftp://x/{traceId}', '/trace/{traceId}'])
      expect(() => validateConfig({ ...DEFAULT_CONFIG, traceUrl: notHttp })).toThrow(
        /configuration: traceUrl must be an http or https URL/,
      );
  });

  it('takes the engine limits, heap cap and residency from the file or the environment', () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-config-'));
    dir = d;
    writeFileSync(
      path.join(d, 'aion.config.json'),
      JSON.stringify({ limits: { maxHistoryLength: 20_000 }, maxResidentRuns: 500 }),
    );
    const fromFile = loadConfig({ cwd: d, env: {} });
    expect(fromFile.limits).toEqual({ maxHistoryLength: 20_000 });
    expect(fromFile.maxResidentRuns).toBe(500);
    expect(fromFile.workflowHeapLimitMb).toBeUndefined();
    const fromEnv = loadConfig({
      cwd: d,
      env: {
        AION_LIMITS: '{"maxPendingActivities": 100, "maxHistoryBytes": 1048576}',
        AION_WORKFLOW_HEAP_LIMIT_MB: '512',
      },
    });
    expect(fromEnv.limits).toEqual({ maxPendingActivities: 100, maxHistoryBytes: 1_048_576 });
    expect(fromEnv.workflowHeapLimitMb).toBe(512);
    expect(() => loadConfig({ cwd: d, env: { AION_LIMITS: '{"maxHistory": 5}' } })).toThrow(
      /environment: limits\.maxHistory is not a limit; known limits: maxPayloadBytes, maxHistoryLength/,
    );
    expect(() => loadConfig({ cwd: d, env: { AION_LIMITS: '{"maxHistoryLength": 0}' } })).toThrow(
      /limits\.maxHistoryLength must be a positive integer/,
    );
    expect(() => loadConfig({ cwd: d, env: { AION_LIMITS: 'nope' } })).toThrow(
      /must be a JSON object of limits/,
    );
  });

  it('layers defaults < file < environment < flags', () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-config-'));
    dir = d;
    writeFileSync(
      path.join(d, 'aion.config.json'),
      JSON.stringify({ port: 8000, dataDir: '/from/file', logLevel: 'warn', packages: ['a.aion'] }),
    );
    expect(loadConfig({ cwd: d, env: {} })).toEqual({
      ...DEFAULT_CONFIG,
      port: 8000,
      dataDir: '/from/file',
      logLevel: 'warn',
      packages: ['a.aion'],
    });
    const layered = loadConfig({
      cwd: dir,
      env: {
        AION_PORT: '9000',
        AION_DATA_DIR: '/from/env',
        AION_AUTH: 'false',
        AION_PACKAGES: 'x.aion,y.aion',
      },
      flags: { port: 9500, host: undefined },
    });
    expect(layered.port).toBe(9500);
    expect(layered.dataDir).toBe('/from/env');
    expect(layered.auth).toBe(false);
    expect(layered.packages).toEqual(['x.aion', 'y.aion']);
    expect(layered.logLevel).toBe('warn');
    expect(layered.host).toBe('127.0.0.1');
  });

  it('rejects unknown keys and bad values, naming the key and the source', () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-config-'));
    dir = d;
    const file = path.join(d, 'custom.json');
    writeFileSync(file, JSON.stringify({ prot: 8000 }));
    expect(() => loadConfig({ cwd: d, file, env: {} })).toThrow(
      /config file: "prot" is not a configuration key/,
    );
    writeFileSync(file, JSON.stringify({ port: '8000' }));
    expect(() => loadConfig({ cwd: d, file, env: {} })).toThrow(
      /config file: port must be an integer/,
    );
    writeFileSync(file, '{ nope');
    expect(() => loadConfig({ cwd: d, file, env: {} })).toThrow(/custom.json/);
    expect(() => loadConfig({ cwd: d, env: { AION_PORT: '70000' } })).toThrow(
      /environment: port must be an integer between 0 and 65535/,
    );
    expect(() => loadConfig({ cwd: d, env: { AION_AUTH: 'maybe' } })).toThrow(
      /environment: auth must be true or false/,
    );
    expect(() => loadConfig({ cwd: d, env: {}, flags: { logLevel: 'loud' } })).toThrow(
      /flags: logLevel must be one of/,
    );
    expect(() => loadConfig({ cwd: d, env: {}, flags: { colour: true } })).toThrow(
      /"colour" is not a configuration key/,
    );
  });

  it('validates task queue limits', () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-config-'));
    dir = d;
    const file = path.join(d, 'q.json');
    writeFileSync(
      file,
      JSON.stringify({ taskQueues: { payments: { maxConcurrent: 5, maxPerSecond: 20 } } }),
    );
    expect(loadConfig({ cwd: d, file, env: {} }).taskQueues).toEqual({
      payments: { maxConcurrent: 5, maxPerSecond: 20 },
    });
    writeFileSync(file, JSON.stringify({ taskQueues: { payments: { maxConcurent: 5 } } }));
    expect(() => loadConfig({ cwd: d, file, env: {} })).toThrow(
      /taskQueues.payments.maxConcurent is not a task queue limit/,
    );
    writeFileSync(file, JSON.stringify({ taskQueues: { payments: { maxConcurrent: 0 } } }));
    expect(() => loadConfig({ cwd: d, file, env: {} })).toThrow(/must be a positive number/);
    expect(
      loadConfig({ cwd: d, env: { AION_TASK_QUEUES: '{"q":{"maxPerSecond":3}}' } }).taskQueues,
    ).toEqual({
      q: { maxPerSecond: 3 },
    });
  });

  it('takes cluster mode from the environment, and refuses it without a PostgreSQL store', () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-config-'));
    dir = d;
    const config = loadConfig({
      cwd: d,
      env: {
        AION_CLUSTER: 'true',
        AION_STORE: 'postgres://aion@db/aion',
        AION_NODE_NAME: 'node-1',
      },
    });
    expect(config.cluster).toBe(true);
    expect(config.nodeName).toBe('node-1');
    expect(() => validateConfig(config)).not.toThrow();
    expect(() => validateConfig({ ...config, store: 'sqlite' })).toThrow(
      expect.objectContaining({
        code: 'invalid_argument',
        details: expect.objectContaining({ field: 'cluster' }),
      }),
    );
  });

  it('recognises loopback hosts', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', 'example.com', '::'].some(isLoopback)).toBe(false);
  });
});
