// Who serves the store: the nodes (heartbeats, shards owned, draining) and the shard leases;
// admins may drain a cluster node before stopping it.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ConfirmCall } from '../../components/dialog.js';
import { ErrorBox } from '../../components/error-box.js';
import { time } from '../../format.js';
import { useLoad } from '../../hooks.js';
import { useSession } from '../../session.js';

interface ClusterNode {
  readonly nodeId: string;
  readonly host?: string;
  readonly pid?: number;
  readonly mode?: string;
  readonly startedAt?: number;
  readonly heartbeatAt?: number;
  readonly ownedShards?: number;
  readonly self?: boolean;
  readonly draining?: boolean;
}

interface ClusterInfo {
  readonly store: string;
  readonly mode: string;
  readonly leases: boolean;
  readonly nodeId?: string;
  readonly shardCount?: number;
  readonly nodes: readonly ClusterNode[];
  readonly shards: readonly {
    owner: string;
    shards: readonly number[] | number;
    expiresAt?: number;
  }[];
  readonly lost?: { code: string; message: string };
}

export function ClusterView() {
  const { can } = useSession();
  const info = useLoad((signal) => api<ClusterInfo>('GET', '/cluster', { signal }), [], 5_000);
  const [drain, setDrain] = useState<string>();
  const c = info.data;
  return (
    <section>
      <h1>Cluster</h1>
      <ErrorBox error={info.error} />
      {c && (
        <>
          <p data-testid="cluster-summary">
            Store <strong>{c.store}</strong>, mode <strong>{c.mode}</strong>
            {c.shardCount !== undefined ? `, ${c.shardCount} shards` : ''}
            {c.leases ? '' : ' (one server owns this store; no leases)'}.
          </p>
          {c.lost && <p class="error">{c.lost.message}</p>}
          {c.nodes.length > 0 && (
            <table class="grid">
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">Host</th>
                  <th scope="col">Started</th>
                  <th scope="col">Last heartbeat</th>
                  <th scope="col">Shards</th>
                  <th scope="col">State</th>
                  {can.admin && c.mode === 'cluster' && <th scope="col">Drain</th>}
                </tr>
              </thead>
              <tbody>
                {c.nodes.map((n) => (
                  <tr key={n.nodeId}>
                    <td>
                      <code>{n.nodeId}</code> {n.self && <span class="badge">this server</span>}
                    </td>
                    <td>
                      {n.host ?? '—'}
                      {n.pid !== undefined ? ` (pid ${n.pid})` : ''}
                    </td>
                    <td>{time(n.startedAt)}</td>
                    <td>{time(n.heartbeatAt)}</td>
                    <td>{n.ownedShards ?? '—'}</td>
                    <td>{n.draining ? 'draining' : 'serving'}</td>
                    {can.admin && c.mode === 'cluster' && (
                      <td>
                        <button
                          type="button"
                          disabled={n.draining}
                          onClick={() => setDrain(n.nodeId)}
                        >
                          Drain…
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {drain && (
        <ConfirmCall
          title={`Drain ${drain}`}
          call={{ method: 'POST', path: `/cluster/nodes/${encodeURIComponent(drain)}/drain` }}
          run={() => api('POST', `/cluster/nodes/${encodeURIComponent(drain)}/drain`)}
          onDone={() => {
            setDrain(undefined);
            info.reload();
          }}
          onClose={() => setDrain(undefined)}
        >
          <p>The node hands its shards to the others; stop it once it has none.</p>
        </ConfirmCall>
      )}
    </section>
  );
}
