import type { Payload } from '../../core/index.js';
import type { WorkflowInboundCallsInterceptor } from '../interceptors.js';
import { decode, type RunState } from './run-state.js';

export const NO_HEADERS = Object.freeze({});

export function inbound(s: RunState): readonly WorkflowInboundCallsInterceptor[] {
  return s.interceptors.inbound;
}

export function decodeArgs(s: RunState, payloads: readonly Payload[]): unknown[] {
  return payloads.map((p) => decode(s, p));
}
