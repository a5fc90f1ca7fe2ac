import type { Route } from '../router.js';
import { Placeholder } from './placeholder.js';
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
    default:
      return <Placeholder route={route} />;
  }
}
