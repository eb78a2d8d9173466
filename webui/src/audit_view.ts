// The audit trail as a table (of one match, or all of it).

import {h, table} from './dom.js';
import {badge, formatTime, protectedHash} from './format.js';
import {AuditEntry, enumName} from './types.js';

function pair(entry: AuditEntry): Node | string {
  if (!entry.contentKey && !entry.bank) return '';
  return h('span', {}, protectedHash(entry.contentKey),
           ` ${entry.bank ?? ''}/${entry.entryId ?? ''}`);
}

export function auditTable(entries: AuditEntry[], withMatch: boolean):
    HTMLElement {
  if (entries.length === 0) {
    return h('p', {class: 'empty', id: 'audit-empty'}, 'No audit entries.');
  }
  const headers = ['seq', 'time', 'kind', ...(withMatch ? ['match'] : []),
                   'reviewer', 'outcome', 'note', 'pair', 'chain hash'];
  const rows = entries.map((e) => {
    const outcome = enumName('outcome', e.outcome);
    const matchId = String(e.matchId ?? '0');
    return [String(e.seq ?? ''), formatTime(e.atUnixMicros), e.kind ?? '',
            ...(withMatch ? [matchId !== '0' ?
                h('a', {href: `#/match/${matchId}`}, `#${matchId}`) : ''] : []),
            e.actor ?? '',
            outcome === 'REVIEW_OUTCOME_UNSPECIFIED' ? '' : badge(outcome),
            h('span', {class: 'note'}, e.note ?? ''), pair(e), protectedHash(e.hash)];
  });
  return table(headers, rows, {class: 'audit', id: 'audit'});
}
