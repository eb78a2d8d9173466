// The review queue: pending matches, oldest first, by default; filters
// (status, bank, category, verdict, outcome, context, time), paging, the
// queue's size and age.

import type {Query} from './api.js';
import {button, Child, h, replaceChildren, table} from './dom.js';
import {age, badge, formatTime} from './format.js';
import type {Page, PageContext} from './page.js';
import {enumName, MatchRecord, toNumber} from './types.js';

interface Choice { name: string; values: string[]; }

const kChoices: Choice[] = [
  {name: 'status', values: ['PENDING', 'DECIDED', 'ANY']},
  {name: 'order', values: ['OLDEST_FIRST', 'NEWEST_FIRST']},
  {name: 'decision', values: ['', 'BLOCK', 'TAKEDOWN', 'REVIEW', 'ALLOW']},
  {name: 'outcome', values: ['', 'CONFIRMED', 'FALSE_POSITIVE', 'ESCALATED']},
  {name: 'context', values: ['', 'UPLOAD', 'RESCAN']},
];
const kTexts = ['bank', 'category'];
const kTimes = ['since', 'until'];  // datetime-local, UTC

function microsOf(value: string | null): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(`${value}:00Z`);
  return Number.isFinite(ms) ? ms * 1000 : undefined;
}

// The API query of the route's parameters.
export function queueQuery(params: URLSearchParams): Query {
  const q: Query = {status: params.get('status') ?? 'PENDING',
                    order: params.get('order') ?? 'OLDEST_FIRST'};
  for (const c of kChoices.slice(2)) q[c.name] = params.get(c.name) ?? undefined;
  for (const t of kTexts) q[t] = params.get(t) ?? undefined;
  q.start_unix_micros = microsOf(params.get('since'));
  q.end_unix_micros = microsOf(params.get('until'));
  if (q.status === 'ANY') q.status = undefined;
  return q;
}

function filterForm(ctx: PageContext): HTMLFormElement {
  const form = h('form', {class: 'filters', id: 'filters'});
  for (const c of kChoices) {
    const select = h('select', {name: c.name, id: `f-${c.name}`},
        ...c.values.map((v) => h('option', {value: v}, v === '' ? 'any' : v.toLowerCase().replace(/_/g, ' '))));
    select.value = ctx.params.get(c.name) ?? c.values[0];
    form.appendChild(h('label', {}, c.name, select));
  }
  for (const t of kTexts) {
    const input = h('input', {name: t, id: `f-${t}`, type: 'text', size: 10});
    input.value = ctx.params.get(t) ?? '';
    form.appendChild(h('label', {}, t, input));
  }
  for (const t of kTimes) {
    const input = h('input', {name: t, id: `f-${t}`, type: 'datetime-local'});
    input.value = ctx.params.get(t) ?? '';
    form.appendChild(h('label', {}, `${t} (UTC)`, input));
  }
  form.appendChild(h('button', {type: 'submit'}, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) {
      if (typeof v === 'string' && v !== '') params.set(k, v);
    }
    ctx.navigate(`#/queue?${params.toString()}`);
  });
  return form;
}

function banksOf(record: MatchRecord): string {
  const banks = new Set((record.matches ?? []).map(
      (m) => `${m.bank ?? ''}${m.category ? ` / ${m.category}` : ''}`));
  return [...banks].join(', ');
}

function reviewCell(record: MatchRecord): Node {
  const decisions = record.decisions ?? [];
  const last = decisions[decisions.length - 1];
  if (!last) return h('span', {class: 'pending'}, 'pending');
  return h('span', {}, badge(enumName('outcome', last.outcome)), ` ${last.reviewer ?? ''}`);
}

function row(record: MatchRecord): Child[] {
  const id = String(record.matchId ?? '');
  const open = h('a', {href: `#/match/${id}`, class: 'open'}, `#${id}`);
  const best = Math.min(...(record.matches ?? []).map((m) => m.distance ?? 0));
  return [open, h('span', {title: formatTime(record.recordedUnixMicros)},
                  age(record.recordedUnixMicros)),
          h('span', {class: 'content-id'}, record.contentId ?? ''),
          enumName('context', record.context).toLowerCase(),
          badge(enumName('decision', record.decision)), banksOf(record),
          Number.isFinite(best) ? String(best) : '—', reviewCell(record)];
}

export async function queuePage(ctx: PageContext): Promise<Page> {
  const query = queueQuery(ctx.params);
  ctx.queueQuery = query;
  const token = ctx.params.get('page') ?? '';
  const list = await ctx.api.listMatches({...query, page_token: token});
  const records = list.matches ?? [];
  const summary = h('p', {class: 'summary', id: 'queue-summary'},
      h('strong', {}, `${toNumber(list.pendingCount)} pending`),
      toNumber(list.oldestPendingUnixMicros) > 0 ?
          ` · oldest waiting ${age(list.oldestPendingUnixMicros)}` : '',
      ` · ${toNumber(list.totalCount)} match these filters`);
  const rows = table(['match', 'age', 'content id', 'context', 'verdict',
                      'bank / category', 'distance', 'review'],
                     records.map(row), {id: 'queue', class: 'queue'});
  const trs = Array.from(rows.tBodies[0].rows);
  let selected = trs.length > 0 ? 0 : -1;
  const select = (i: number) => {
    trs.forEach((tr, j) => tr.classList.toggle('selected', j === i));
    selected = i;
    trs[i]?.scrollIntoView({block: 'nearest'});
  };
  trs.forEach((tr, i) => tr.addEventListener('click', (e) => {
    if ((e.target as HTMLElement).tagName !== 'A') select(i);
  }));
  select(selected);
  const paging = h('p', {class: 'paging'},
      token !== '' ? button('First page', () => {
        ctx.params.delete('page');
        ctx.navigate(`#/queue?${ctx.params.toString()}`);
      }) : null,
      list.nextPageToken ? button('Next page', () => {
        ctx.params.set('page', list.nextPageToken ?? '');
        ctx.navigate(`#/queue?${ctx.params.toString()}`);
      }, {id: 'next-page'}) : null);
  replaceChildren(ctx.main, h('h1', {}, 'Review queue'), filterForm(ctx), summary,
      records.length > 0 ? rows : h('p', {class: 'empty', id: 'queue-empty'},
                                    'Nothing to review with these filters.'),
      paging);
  return {onKey: (e) => {
    if (e.key === 'j' && selected + 1 < trs.length) select(selected + 1);
    else if (e.key === 'k' && selected > 0) select(selected - 1);
    else if (e.key === 'Enter' && selected >= 0) {
      ctx.navigate(`#/match/${String(records[selected].matchId ?? '')}`);
    } else return false;
    return true;
  }};
}
