// What the run waits on: pending activities (attempt, last failure, next attempt, heartbeat)
// and timers, as the server describes them.
import { JsonView } from '../../components/json-view.js';
import { since, time } from '../../format.js';
import type { Description } from '../../types.js';

export function Pending({ d, now }: { d: Description; now: number }) {
  return (
    <section aria-label="Pending work">
      <h3>Pending activities ({d.pendingActivities.length})</h3>
      {d.pendingActivities.length === 0 ? (
        <p class="muted">none</p>
      ) : (
        <table class="grid" data-testid="pending-activities">
          <thead>
            <tr>
              <th scope="col">Activity</th>
              <th scope="col">State</th>
              <th scope="col">Attempt</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Last failure</th>
              <th scope="col">Heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {d.pendingActivities.map((a) => (
              <tr key={a.activityId}>
                <td>
                  {a.activityType} <span class="muted">#{a.activityId}</span>
                  {a.warning && <div class="badge warn">{a.warning}</div>}
                </td>
                <td>{a.state.replace('_', ' ').toLowerCase()}</td>
                <td>{a.attempt}</td>
                <td>{time(a.nextAttemptAt)}</td>
                <td>
                  {a.lastFailure ? <span class="failure">{a.lastFailure.message}</span> : '—'}
                </td>
                <td>
                  {a.lastHeartbeatAt ? since(a.lastHeartbeatAt, now) : '—'}
                  {a.heartbeatDetails !== undefined && (
                    <JsonView value={a.heartbeatDetails} label="Heartbeat details" />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Pending timers ({d.pendingTimers.length})</h3>
      {d.pendingTimers.length === 0 ? (
        <p class="muted">none</p>
      ) : (
        <ul>
          {d.pendingTimers.map((t) => (
            <li key={t.timerId}>
              timer {t.timerId} fires at {time(t.fireAt)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
