// The daemon's JSON API under /api/v1/ (docs/REVIEW.md, "Web page").
// Requests are same-origin; every POST carries the session's CSRF token in
// X-CSRF-Token and a JSON body. Errors come back as {"code", "message"}
// and are thrown as ApiError.

import type {
  ListAllowlistResponse, ListAuditResponse, ListMatchesResponse, MatchRecord,
  Outcome, ReviewStats, Session,
} from './types.js';

export class ApiError extends Error {
  constructor(readonly httpStatus: number, readonly code: number,
              message: string) {
    super(message);
  }
}

function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

// Protobuf's JSON mapping may print either field name form: the page reads
// lowerCamelCase.
function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value !== null && typeof value === 'object') {
    const out: {[k: string]: unknown} = {};
    for (const [k, v] of Object.entries(value)) out[camel(k)] = camelKeys(v);
    return out;
  }
  return value;
}

async function parse<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = {};
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(response.status, 0,
                         `HTTP ${response.status}: the answer is not JSON`);
    }
  }
  if (!response.ok) {
    const err = body as {code?: number; message?: string};
    throw new ApiError(response.status, err.code ?? 0,
                       err.message ?? `HTTP ${response.status}`);
  }
  return camelKeys(body) as T;
}

export type Query = {[name: string]: string | number | undefined};

function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== '' && v !== 0) params.set(k, String(v));
  }
  const s = params.toString();
  return s === '' ? path : `${path}?${s}`;
}

export class Api {
  private csrfToken = '';

  async get<T>(path: string, query: Query = {}): Promise<T> {
    const response = await fetch(withQuery(`/api/v1/${path}`, query), {
      credentials: 'same-origin',
      headers: {'Accept': 'application/json'},
    });
    return parse<T>(response);
  }

  async post<T>(path: string, body: object): Promise<T> {
    const response = await fetch(`/api/v1/${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Accept': 'application/json',
        'Content-Type': 'application/json',
        'X-CSRF-Token': this.csrfToken,
      },
      body: JSON.stringify(body),
    });
    return parse<T>(response);
  }

  async session(): Promise<Session> {
    const session = await this.get<Session>('session');
    this.csrfToken = session.csrfToken ?? '';
    return session;
  }

  listMatches(query: Query): Promise<ListMatchesResponse> {
    return this.get<ListMatchesResponse>('matches', query);
  }

  getMatch(id: string): Promise<MatchRecord> {
    return this.get<MatchRecord>(`matches/${encodeURIComponent(id)}`);
  }

  decide(id: string, outcome: Outcome, note: string,
         override: boolean): Promise<MatchRecord> {
    return this.post<MatchRecord>(
        `matches/${encodeURIComponent(id)}/decision`,
        {match_id: id, outcome, note, override});
  }

  matchAudit(id: string): Promise<ListAuditResponse> {
    return this.get<ListAuditResponse>(
        `matches/${encodeURIComponent(id)}/audit`, {page_size: 1000});
  }

  audit(pageToken: string): Promise<ListAuditResponse> {
    return this.get<ListAuditResponse>('audit', {page_token: pageToken});
  }

  allowlist(pageToken: string): Promise<ListAllowlistResponse> {
    return this.get<ListAllowlistResponse>('allowlist',
                                           {page_token: pageToken});
  }

  removeAllowlistEntry(contentKey: string, bank: string, entryId: string,
                       note: string): Promise<object> {
    return this.post<object>('allowlist/remove', {
      content_key: contentKey, bank, entry_id: entryId, note,
    });
  }

  stats(startMicros: number, endMicros: number): Promise<ReviewStats> {
    return this.get<ReviewStats>('stats', {
      start_unix_micros: startMicros, end_unix_micros: endMicros,
    });
  }
}
