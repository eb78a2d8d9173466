// The JSON of clearmatch.v1 messages (proto/clearmatch/v1/review.proto and
// matcher.proto) as the daemon's /api/v1/ sends them: protobuf's JSON
// mapping, so int64 fields are strings, enums are their names, and fields
// at their default value may be absent. Keys are lowerCamelCase (api.ts
// turns snake_case keys into these).

export type Int64 = string | number;

export interface TimeRange { startSeconds?: number; endSeconds?: number; }

export interface Match {
  bank?: string;
  entryId?: string;
  hashType?: string;
  category?: string;
  distance?: number;
  transform?: string;
  queryRanges?: TimeRange[];
  targetRanges?: TimeRange[];
  queryPct?: number;
  targetPct?: number;
  sourceFeed?: string;
  decision?: string;
  shadow?: boolean;
  videoRule?: string;
  referenceRuleMatch?: boolean;
  segmentSeconds?: number;
}

export interface PdqHashValue { hash?: string; quality?: number; transform?: string; }
export interface VpdqFrameHash {
  frameNumber?: Int64; quality?: number; hash?: string; seconds?: number;
  transform?: string;
}
export interface Hashes {
  pdq?: PdqHashValue[]; md5?: string; sha1?: string; sha256?: string;
  vpdq?: VpdqFrameHash[];
}

export interface ReviewDecision {
  outcome?: string; reviewer?: string; note?: string; override?: boolean;
  decidedUnixMicros?: Int64;
}

export interface MatchRecord {
  matchId?: Int64;
  contentId?: string;
  context?: string;
  decision?: string;
  recordedUnixMicros?: Int64;
  matches?: Match[];
  queryHashes?: Hashes;
  snapshotVersion?: Int64;
  policy?: string;
  requestId?: string;
  decisions?: ReviewDecision[];
  hashesFromCaller?: boolean;
}

export interface ListMatchesResponse {
  matches?: MatchRecord[];
  nextPageToken?: string;
  totalCount?: Int64;
  pendingCount?: Int64;
  oldestPendingUnixMicros?: Int64;
}

export interface AuditEntry {
  seq?: Int64; atUnixMicros?: Int64; kind?: string; matchId?: Int64;
  actor?: string; outcome?: string; note?: string; contentKey?: string;
  bank?: string; entryId?: string; hash?: string; prevHash?: string;
}
export interface ListAuditResponse { entries?: AuditEntry[]; nextPageToken?: string; }

export interface AllowlistEntry {
  contentKey?: string; bank?: string; entryId?: string; matchId?: Int64;
  addedBy?: string; addedUnixMicros?: Int64;
}
export interface ListAllowlistResponse {
  entries?: AllowlistEntry[]; nextPageToken?: string;
}

export interface DailyDecisions { day?: string; outcome?: string; count?: Int64; }
export interface BankDecisions { bank?: string; outcome?: string; count?: Int64; }
export interface ReviewStats {
  perDay?: DailyDecisions[];
  perBank?: BankDecisions[];
  decidedCount?: Int64;
  medianSecondsToDecision?: number;
  p90SecondsToDecision?: number;
  pendingCount?: Int64;
  oldestPendingUnixMicros?: Int64;
}

// GET /api/v1/session.
export interface Session {
  reviewer?: string;
  roles?: string[];
  csrfToken?: string;
  contentUrlTemplate?: string;
}

export const kOutcomes = ['CONFIRMED', 'FALSE_POSITIVE', 'ESCALATED'] as const;
export type Outcome = typeof kOutcomes[number];

// Enum values as numbers (a server printing enums as integers) to names.
const kEnumNames: {[field: string]: string[]} = {
  outcome: ['REVIEW_OUTCOME_UNSPECIFIED', 'CONFIRMED', 'FALSE_POSITIVE', 'ESCALATED'],
  decision: ['DECISION_UNSPECIFIED', 'ALLOW', 'BLOCK', 'TAKEDOWN', 'REVIEW'],
  context: ['CONTEXT_UNSPECIFIED', 'UPLOAD', 'RESCAN'],
  videoRule: ['VIDEO_RULE_NONE', 'PERCENTAGE', 'BANKED_IN_UPLOAD', 'UPLOAD_IN_BANKED'],
};

export function enumName(field: string, value: unknown): string {
  if (typeof value === 'number') return kEnumNames[field]?.[value] ?? String(value);
  if (typeof value === 'string' && value !== '') return value;
  return kEnumNames[field]?.[0] ?? '';
}

export function toNumber(value: Int64 | undefined): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}
