// The engine's payload codecs applied at its store boundary: everything the engine writes is
// encoded (so history, task, outbox and run rows hold only encoded payloads), everything it
// reads is decoded. Inside the engine — the workflow sandbox, activities, queries, clients of
// the engine — payloads are plain. See docs/adr/0011-payload-codecs-at-the-store-boundary.md.
import type { PayloadCodec } from '../core/index.js';
import { decodePayloads, encodePayloads, type EncodeOptions } from '../codecs/index.js';
import { isStoreMethod, type Store, type StoreMethod } from '../store/index.js';

/**
 * Store methods that neither take nor return payloads (packages, namespaces, schemas). The
 * batch-job methods are not listed: a signal job's arguments are user data, stored as
 * payloads in the job's operation, so they are encoded at rest like any other argument.
 */
const WITHOUT_PAYLOADS: ReadonlySet<StoreMethod> = new Set<StoreMethod>([
  'putPackage',
  'getPackage',
  'listPackages',
  'deletePackage',
  'setRoute',
  'listRoutes',
  'createNamespace',
  'updateNamespace',
  'getNamespace',
  'listNamespaces',
  'registerSearchAttributes',
  'listSearchAttributes',
  'purgeClosedRuns',
  'expireLeases',
]);

/**
 * A view of `store` whose I/O methods encode the payloads in their arguments and decode the
 * payloads in their results with `codecs`. Without codecs, `store` itself.
 */
export function codecStore(
  store: Store,
  codecs: readonly PayloadCodec[],
  options: EncodeOptions = {},
): Store {
  if (codecs.length === 0) return store;
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || !isStoreMethod(prop) || WITHOUT_PAYLOADS.has(prop)) {
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        const method = value as (...args: unknown[]) => Promise<unknown>;
        fn = async (...args: unknown[]): Promise<unknown> => {
          const result = await method.apply(target, encodePayloads(args, codecs, options));
          return decodePayloads(result, codecs);
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
