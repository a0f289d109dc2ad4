// Pages are addressed by the URL's fragment (#/sessions, #/sessions/<id>, #/approvals, #/audit, #/orchestrations,
// #/orchestrations/<id>, #/pipelines, #/pipelines/<id>, #/reviews, #/reviews/<id>): the gateway serves one page at /ui, and the fragment never
// reaches a server or a log.
import { signal } from './signal.js';

export type Route =
  | { page: 'sessions' }
  | { page: 'session'; id: string }
  | { page: 'approvals' }
  | { page: 'audit' }
  | { page: 'orchestrations' }
  | { page: 'orchestration'; id: string }
  | { page: 'pipelines' }
  | { page: 'pipeline'; id: string }
  | { page: 'reviews' }
  | { page: 'review'; id: string }
  | { page: 'not_found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/sessions';
  const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  if (parts.length === 1 && parts[0] === 'sessions') return { page: 'sessions' };
  if (parts.length === 2 && parts[0] === 'sessions') return { page: 'session', id: parts[1]! };
  if (parts.length === 1 && parts[0] === 'approvals') return { page: 'approvals' };
  if (parts.length === 1 && parts[0] === 'audit') return { page: 'audit' };
  if (parts.length === 1 && parts[0] === 'orchestrations') return { page: 'orchestrations' };
  if (parts.length === 2 && parts[0] === 'orchestrations') return { page: 'orchestration', id: parts[1]! };
  if (parts.length === 1 && parts[0] === 'pipelines') return { page: 'pipelines' };
  if (parts.length === 2 && parts[0] === 'pipelines') return { page: 'pipeline', id: parts[1]! };
  if (parts.length === 1 && parts[0] === 'reviews') return { page: 'reviews' };
  if (parts.length === 2 && parts[0] === 'reviews') return { page: 'review', id: parts[1]! };
  return { page: 'not_found', path };
}

export const route = signal<Route>(parseRoute(location.hash));
window.addEventListener('hashchange', () => route.set(parseRoute(location.hash)));

export function sessionHref(id: string): string {
  return `#/sessions/${encodeURIComponent(id)}`;
}
