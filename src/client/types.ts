// The client API contract lives in core (the engine implements it too); re-exported here for
// the remote SDK's modules.
export {
  historyExport,
  type ClientApi,
  type HistoryExport,
  type MessageRef,
  type PendingActivityInfo,
  type ResultOf,
  type WorkflowClient,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
  type WorkflowHandle,
  type WorkflowListOptions,
  type WorkflowStartOptions,
  type WorkflowTypeRef,
  type GetWorkflowHandleOptions,
  type WorkflowIdConflictPolicy,
  type WorkflowIdReusePolicy,
  type WorkflowUpdateHandle,
  type WorkflowUpdateOptions,
  type WorkflowUpdateStage,
  type WithStartWorkflowOptions,
} from '../core/index.js';
