// Packages: the deployed versions with their routed types and open runs. Admins check a
// package against open runs before deploying it (a replay, nothing stored), deploy it,
// route a type to a version and unload a version.
import { useState } from 'preact/hooks';
import { api, nsPath, qs } from '../../api.js';
import { ConfirmCall, type ApiCall } from '../../components/dialog.js';
import { ErrorBox } from '../../components/error-box.js';
import { shortId, time } from '../../format.js';
import { useLoad } from '../../hooks.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';

interface Version {
  readonly version: string;
  readonly name: string;
  readonly deployedAt: string;
  readonly size: number;
  readonly routedTypes: readonly string[];
  readonly openRuns: number;
}

interface CheckAnswer {
  readonly version: string;
  readonly workflowTypes: readonly string[];
  readonly checked: number;
  readonly passed: number;
  readonly diverged: readonly {
    workflowId: string;
    runId: string;
    workflowType: string;
    version: string;
    message: string;
  }[];
}

interface Pending {
  readonly title: string;
  readonly call: ApiCall;
  readonly run: () => Promise<unknown>;
  readonly danger?: boolean;
}

export function PackagesView({ ns }: { ns: string }) {
  const { can } = useSession();
  const list = useLoad(
    (signal) => api<{ versions: Version[] }>('GET', nsPath(ns, '/packages'), { signal }),
    [ns],
  );
  const [pending, setPending] = useState<Pending>();
  const unload = (v: Version): void =>
    setPending({
      title: `Unload ${shortId(v.version)}`,
      call: { method: 'DELETE', path: nsPath(ns, `/packages/${v.version}`) },
      run: () => api('DELETE', nsPath(ns, `/packages/${v.version}`)),
      danger: true,
    });
  return (
    <section>
      <h1>Packages</h1>
      <ErrorBox error={list.error} />
      <table class="grid" data-testid="packages">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Name</th>
            <th scope="col">Deployed</th>
            <th scope="col">Size</th>
            <th scope="col">Routed types</th>
            <th scope="col">Open runs</th>
            {can.admin && <th scope="col">Unload</th>}
          </tr>
        </thead>
        <tbody>
          {list.data?.versions.map((v) => (
            <tr key={v.version}>
              <td>
                <code title={v.version}>{shortId(v.version, 16)}</code>
              </td>
              <td>{v.name}</td>
              <td>{time(v.deployedAt)}</td>
              <td>{(v.size / 1024).toFixed(1)} KiB</td>
              <td>{v.routedTypes.join(', ') || '—'}</td>
              <td>
                <a
                  href={href.workflows(ns, {
                    query: `Version = '${v.version}' AND CloseTime IS NULL`,
                  })}
                >
                  {v.openRuns}
                </a>
              </td>
              {can.admin && (
                <td>
                  <button type="button" onClick={() => unload(v)}>
                    Unload…
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {can.admin && (
        <DeployForm ns={ns} onAction={setPending} versions={list.data?.versions ?? []} />
      )}
      {pending && (
        <ConfirmCall
          title={pending.title}
          call={pending.call}
          run={pending.run}
          danger={pending.danger === true}
          onDone={() => {
            setPending(undefined);
            list.reload();
          }}
          onClose={() => setPending(undefined)}
        />
      )}
    </section>
  );
}

function DeployForm(props: {
  ns: string;
  versions: readonly Version[];
  onAction: (p: Pending) => void;
}) {
  const { ns } = props;
  const [file, setFile] = useState<File>();
  const [check, setCheck] = useState<CheckAnswer>();
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>();
  const runCheck = async (): Promise<void> => {
    if (!file) return;
    setChecking(true);
    setError(undefined);
    setCheck(undefined);
    try {
      setCheck(
        await api<CheckAnswer>('POST', nsPath(ns, `/packages/check${qs({ sample: 50 })}`), {
          raw: await file.arrayBuffer(),
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setChecking(false);
    }
  };
  const deploy = (): void => {
    if (!file) return;
    props.onAction({
      title: `Deploy ${file.name}`,
      call: {
        method: 'POST',
        path: nsPath(ns, '/packages'),
        body: `<${file.size} bytes of ${file.name}>`,
      },
      run: async () => api('POST', nsPath(ns, '/packages'), { raw: await file.arrayBuffer() }),
    });
  };
  return (
    <>
      <form class="card form" onSubmit={(e) => e.preventDefault()} aria-label="Deploy a package">
        <h2>Deploy a package</h2>
        <label class="block">
          <span>Package file (.aion, from aion build)</span>
          <input type="file" accept=".aion" onChange={(e) => setFile(e.currentTarget.files?.[0])} />
        </label>
        <div class="inline">
          <button type="button" disabled={!file || checking} onClick={() => void runCheck()}>
            {checking ? 'Replaying open runs…' : 'Check against open runs'}
          </button>
          <button type="button" class="primary" disabled={!file} onClick={deploy}>
            Deploy…
          </button>
        </div>
        <ErrorBox error={error} what="The package check" />
        {check && (
          <div data-testid="package-check" role="status">
            <p>
              Version <code>{shortId(check.version, 16)}</code> ({check.workflowTypes.join(', ')}):
              replayed {check.checked} open runs, <strong>{check.passed} passed</strong>
              {check.diverged.length > 0 ? `, ${check.diverged.length} diverged:` : '.'}
            </p>
            <ul>
              {check.diverged.map((d) => (
                <li key={d.runId}>
                  <a href={href.run(ns, d.workflowId, d.runId)}>{d.workflowId}</a> ({d.workflowType}
                  ): <span class="failure">{d.message}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </form>
      <RouteForm ns={ns} versions={props.versions} onAction={props.onAction} />
    </>
  );
}

function RouteForm(props: {
  ns: string;
  versions: readonly Version[];
  onAction: (p: Pending) => void;
}) {
  const { ns } = props;
  const [routeType, setRouteType] = useState('');
  const [routeVersion, setRouteVersion] = useState('');
  const types = [...new Set(props.versions.flatMap((v) => v.routedTypes))].sort();
  return (
    <form
      class="card form"
      aria-label="Route a workflow type"
      onSubmit={(e) => {
        e.preventDefault();
        const body = { version: routeVersion };
        const path = nsPath(ns, `/routes/${encodeURIComponent(routeType)}`);
        props.onAction({
          title: `Route ${routeType}`,
          call: { method: 'PUT', path, body },
          run: () => api('PUT', path, { body }),
        });
      }}
    >
      <h2>Route a workflow type</h2>
      <label class="block">
        <span>Workflow type</span>
        <input
          list="route-types"
          value={routeType}
          onInput={(e) => setRouteType(e.currentTarget.value)}
        />
        <datalist id="route-types">
          {types.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </label>
      <label class="block">
        <span>To version</span>
        <select value={routeVersion} onChange={(e) => setRouteVersion(e.currentTarget.value)}>
          <option value="">choose…</option>
          {props.versions.map((v) => (
            <option key={v.version} value={v.version}>
              {shortId(v.version, 16)} ({v.name}, {time(v.deployedAt)})
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!routeType || !routeVersion}>
        Route…
      </button>
    </form>
  );
}
