// The in-process client: workflow handles, the per-namespace API scope, and the client
// interceptors around start, signal, query and update.
export { InterceptedCalls } from './intercepted-calls.js';
export { makeHandle, type HandleDeps } from './handles.js';
export {
  namespaceScope,
  workflowClient,
  type NamespaceScope,
  type ScopeDeps,
} from './namespace-scope.js';
