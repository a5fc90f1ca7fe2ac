import { PackageSandbox } from '../runtime/index.js';

/** Evaluates a freshly built bundle once in a sandbox: it must load, and it lists its workflow types. */
export function inspectBundle(bundle: string): { workflowTypes: string[] } {
  const sandbox = PackageSandbox.create(bundle, 'inspect');
  return { workflowTypes: sandbox.workflowTypes().sort() };
}
