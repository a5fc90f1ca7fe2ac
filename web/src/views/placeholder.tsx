import type { Route } from '../router.js';

export function Placeholder({ route }: { route: Route }) {
  return (
    <section>
      <h1>{route.view}</h1>
      <p class="muted">This view is coming.</p>
    </section>
  );
}
