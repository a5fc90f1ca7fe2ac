// Cluster mode: shard ownership, routing to other nodes through the store's inbox, and the
// node's life in the cluster (join, recover gained shards, hand off, leave).
export { ClusterNode, type ClusterInfra, type RecoverShards } from './cluster-node.js';
export { Ownership } from './ownership.js';
export { routedSchedules, scheduleOps } from './routed-schedules.js';
export type { RemoteOp } from './inbox-worker.js';
