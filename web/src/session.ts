// Who is signed in and what they may do. A server without the session endpoint (an older
// one) is probed with a harmless read: if it answers, it runs without keys.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api, ApiError, isMissingEndpoint } from './api.js';
import type { Role, SessionInfo } from './types.js';

export async function loadSession(): Promise<SessionInfo> {
  try {
    return await api<SessionInfo>('GET', '/session', { quiet401: true });
  } catch (err) {
    if (!isMissingEndpoint(err)) throw err;
  }
  try {
    await api('GET', '/namespaces', { quiet401: true });
    return { authRequired: false, authenticated: true, role: 'admin' };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401)
      return { authRequired: true, authenticated: false };
    throw err;
  }
}

export async function signIn(apiKey: string): Promise<SessionInfo> {
  const answer = await api<Omit<SessionInfo, 'authRequired' | 'authenticated'>>(
    'POST',
    '/session',
    { body: { apiKey }, quiet401: true },
  );
  return { ...answer, authRequired: true, authenticated: true };
}

export async function signOut(): Promise<void> {
  await api('DELETE', '/session', { quiet401: true });
}

/** What a role may do in the console (the server checks again on every call). */
export interface Abilities {
  readonly role: Role;
  /** Start, signal, update, cancel, terminate, pause, resume, reset, reopen, retry. */
  readonly operate: boolean;
  /** Deploy, route, unload, packages check, search attributes. */
  readonly admin: boolean;
  /** Read decoded payloads (history decode=true). */
  readonly decode: boolean;
}

export function abilities(role: Role | undefined): Abilities {
  const r = role ?? 'reader';
  const operate = r === 'operator' || r === 'admin';
  return { role: r, operate, admin: r === 'admin', decode: operate };
}

export interface SessionContextValue {
  readonly session: SessionInfo;
  readonly can: Abilities;
  readonly signOut: () => void;
}

export const SessionContext = createContext<SessionContextValue>({
  session: { authRequired: false, authenticated: false },
  can: abilities(undefined),
  signOut: () => undefined,
});

export function useSession(): SessionContextValue {
  return useContext(SessionContext);
}
