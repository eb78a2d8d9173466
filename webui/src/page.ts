// What every page gets from the app: the API, the session, where to draw,
// and how to tell the reviewer something.

import type {Api, Query} from './api.js';
import type {Session} from './types.js';

export interface PageContext {
  api: Api;
  session: Session;
  main: HTMLElement;
  // The route's parameters (`#/queue?bank=x` -> {bank: 'x'}).
  params: URLSearchParams;
  notify(message: string, kind?: 'info' | 'error'): void;
  navigate(hash: string): void;
  // The queue's filters as last used (the next item follows them).
  queueQuery: Query;
}

// A drawn page: its keyboard shortcuts (null when it has none).
export interface Page {
  onKey: ((event: KeyboardEvent) => boolean) | null;
}

export function canDecide(session: Session): boolean {
  return (session.reviewer ?? '') !== '' &&
      (session.roles ?? []).includes('reviewer');
}

export function isAdmin(session: Session): boolean {
  return (session.roles ?? []).includes('admin');
}
