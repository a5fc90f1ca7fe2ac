import type { Route } from '../router.js';
import { BatchesView } from './ops/batches.js';
import { ClusterView } from './ops/cluster.js';
import { NamespacesView } from './ops/namespaces.js';
import { PackagesView } from './ops/packages.js';
import { SchedulesView } from './ops/schedules.js';
import { TaskQueuesView } from './ops/task-queues.js';
import { RunView } from './run/run-view.js';
import { StartView } from './start/start-view.js';
import { WorkflowsView } from './workflows/workflows-view.js';

/** The view a route names. */
export function ViewFor({ route }: { route: Route }) {
  switch (route.view) {
    case 'workflows':
      return <WorkflowsView ns={route.ns} params={route.params} />;
    case 'run':
      return (
        <RunView
          key={`${route.workflowId}/${route.runId}`}
          ns={route.ns}
          workflowId={route.workflowId}
          runId={route.runId}
          params={route.params}
        />
      );
    case 'start':
      return <StartView ns={route.ns} params={route.params} />;
    case 'not-found':
      return (
        <section>
          <h1>Not found</h1>
          <p>There is no view at {route.path}.</p>
        </section>
      );
    case 'schedules':
      return <SchedulesView ns={route.ns} />;
    case 'batches':
      return <BatchesView ns={route.ns} />;
    case 'packages':
      return <PackagesView ns={route.ns} />;
    case 'task-queues':
      return <TaskQueuesView ns={route.ns} />;
    case 'namespaces':
      return <NamespacesView />;
    case 'cluster':
      return <ClusterView />;
  }
}
