// One match: its facts and evidence, the decision panel (c / f / e decide
// with the note typed; the next pending item of the queue opens), the
// decisions so far and the audit trail.

import {ApiError} from './api.js';
import {auditTable} from './audit_view.js';
import {button, h, replaceChildren} from './dom.js';
import {age, badge, formatTime} from './format.js';
import {entriesTable, hashList, timelines, viewer, viewerUrl} from './match_evidence.js';
import {canDecide, Page, PageContext} from './page.js';
import {enumName, kOutcomes, MatchRecord, Outcome} from './types.js';

const kKeys: {[key: string]: Outcome} = {
  c: 'CONFIRMED', f: 'FALSE_POSITIVE', e: 'ESCALATED',
};

function facts(record: MatchRecord): HTMLElement {
  const item = (name: string, value: Node | string) =>
      [h('dt', {}, name), h('dd', {}, value)];
  return h('dl', {class: 'facts', id: 'facts'},
      ...item('content id', h('span', {class: 'content-id', id: 'content-id'},
                              record.contentId ?? '')),
      ...item('context', enumName('context', record.context).toLowerCase()),
      ...item('verdict', badge(enumName('decision', record.decision))),
      ...item('recorded', `${formatTime(record.recordedUnixMicros)} ` +
                          `(${age(record.recordedUnixMicros)} ago)`),
      ...item('snapshot version', String(record.snapshotVersion ?? '0')),
      ...item('request id', record.requestId ?? ''),
      ...item('policy', h('code', {class: 'policy'}, record.policy ?? '')),
      ...item('hashes from', record.hashesFromCaller ?
          'the caller (hash-only Check: a false positive allowlists nothing)' :
          'the daemon, from the media'));
}

function history(record: MatchRecord): HTMLElement {
  const decisions = record.decisions ?? [];
  if (decisions.length === 0) return h('p', {id: 'history', class: 'pending'}, 'Pending: no decision yet.');
  return h('ol', {class: 'history', id: 'history'}, ...decisions.map((d) =>
      h('li', {}, badge(enumName('outcome', d.outcome)), ` by ${d.reviewer ?? ''}`,
        ` at ${formatTime(d.decidedUnixMicros)}`, d.override ? ' (override)' : '',
        d.note ? h('span', {class: 'note'}, ` — ${d.note}`) : '')));
}

// The next pending match of the queue's filters after `id`, or null.
async function nextPending(ctx: PageContext, id: string): Promise<string | null> {
  const list = await ctx.api.listMatches(
      {...ctx.queueQuery, status: 'PENDING', page_size: 2});
  const next = (list.matches ?? []).find((m) => String(m.matchId) !== id);
  return next ? String(next.matchId) : null;
}

async function openNext(ctx: PageContext, id: string): Promise<void> {
  const next = await nextPending(ctx, id);
  ctx.navigate(next ? `#/match/${next}` : '#/queue');
}

function decisionPanel(ctx: PageContext, record: MatchRecord, id: string):
    {node: HTMLElement; decide: (o: Outcome) => void} {
  const decided = (record.decisions ?? []).length > 0;
  const note = h('textarea', {id: 'note', rows: 2, cols: 60, maxlength: 2000,
                              placeholder: 'Note (optional)'});
  const override = h('input', {type: 'checkbox', id: 'override'});
  const allowed = canDecide(ctx.session);
  let busy = false;
  const decide = async (outcome: Outcome) => {
    if (busy || !allowed) return;
    busy = true;
    try {
      await ctx.api.decide(id, outcome, note.value, override.checked);
      ctx.notify(`Match #${id}: ${outcome} recorded.`);
      await openNext(ctx, id);
    } catch (e) {
      const conflict = e instanceof ApiError && e.httpStatus === 409;
      ctx.notify(`${conflict ? 'Already decided: tick "override" to replace it. ' : ''}` +
                 `${e instanceof Error ? e.message : String(e)}`, 'error');
    } finally {
      busy = false;
    }
  };
  const buttons = kOutcomes.map((o) => {
    const key = Object.keys(kKeys).find((k) => kKeys[k] === o) ?? '';
    return button(`${o.replace('_', ' ').toLowerCase()} (${key})`, () => void decide(o),
                  {id: `decide-${o.toLowerCase()}`, class: `decide decide-${o.toLowerCase()}`,
                   disabled: !allowed});
  });
  const node = h('section', {class: 'decide-panel', id: 'decide-panel'},
      h('h2', {}, 'Decision'), note,
      h('p', {}, ...buttons,
        h('label', {class: decided ? '' : 'hidden'}, override,
          ' override the earlier decision'),
        button('skip (n)', () => void openNext(ctx, id), {id: 'skip'})),
      allowed ? null : h('p', {class: 'notice-error'},
                         'Decisions are refused here: no reviewer.'));
  return {node, decide: (o) => void decide(o)};
}

export async function matchPage(ctx: PageContext, id: string): Promise<Page> {
  const [record, audit] = await Promise.all([
    ctx.api.getMatch(id),
    ctx.api.matchAudit(id).catch(() => ({entries: []})),
  ]);
  const url = viewerUrl(ctx.session.contentUrlTemplate, record.contentId ?? '');
  const shown = viewer(url);
  const panel = decisionPanel(ctx, record, id);
  replaceChildren(ctx.main,
      h('p', {}, h('a', {href: '#/queue', id: 'back'}, '← queue (u)')),
      h('h1', {}, `Match #${id}`), facts(record), panel.node,
      h('section', {}, h('h2', {}, 'Content'), shown.node),
      h('section', {}, h('h2', {}, 'Matched entries'), entriesTable(record),
        ...timelines(record)),
      h('section', {}, h('h2', {}, 'Hashes matched on'), hashList(record.queryHashes ?? {})),
      h('section', {}, h('h2', {}, 'Decisions'), history(record)),
      h('section', {}, h('h2', {}, 'Audit trail'), auditTable(audit.entries ?? [], false)));
  return {onKey: (e) => {
    const outcome = kKeys[e.key];
    if (outcome) panel.decide(outcome);
    else if (e.key === 'n') void openNext(ctx, id);
    else if (e.key === 'u' || e.key === 'Escape') ctx.navigate('#/queue');
    else if (e.key === 'v') shown.toggle();
    else return false;
    return true;
  }};
}
