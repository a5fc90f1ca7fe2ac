// Client interceptor types live in core (the engine applies them too); re-exported here for
// the remote SDK's modules.
export type {
  Next,
  WorkflowClientInterceptor,
  WorkflowQueryInput,
  WorkflowSignalInput,
  WorkflowSignalWithStartInput,
  WorkflowStartInput,
  WorkflowStartOutput,
  WorkflowUpdateInput,
  WorkflowStartUpdateInput,
  WorkflowStartUpdateOutput,
} from '../core/index.js';
