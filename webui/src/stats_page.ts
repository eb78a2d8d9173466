// Stats: decisions per day (stacked bars by outcome), per bank, time to
// decision, and the queue's size and age.

import {h, replaceChildren, svg, table} from './dom.js';
import {age, badge, formatDuration} from './format.js';
import type {Page, PageContext} from './page.js';
import {DailyDecisions, enumName, kOutcomes, toNumber} from './types.js';

const kRanges: Array<[string, number]> = [
  ['7', 7], ['30', 30], ['90', 90], ['all', 0],
];

function perDayChart(rows: DailyDecisions[]): HTMLElement {
  const days = [...new Set(rows.map((r) => r.day ?? ''))].sort();
  if (days.length === 0) return h('p', {class: 'empty'}, 'No decisions in this range.');
  const count = (day: string, outcome: string) => rows
      .filter((r) => r.day === day && enumName('outcome', r.outcome) === outcome)
      .reduce((s, r) => s + toNumber(r.count), 0);
  const totals = days.map((d) => kOutcomes.reduce((s, o) => s + count(d, o), 0));
  const most = Math.max(1, ...totals);
  const barWidth = Math.max(8, Math.min(40, Math.floor(600 / days.length) - 4));
  const height = 120;
  const bars: SVGElement[] = [];
  days.forEach((day, i) => {
    let y = height;
    for (const o of kOutcomes) {
      const n = count(day, o);
      if (n === 0) continue;
      const hgt = (n / most) * (height - 10);
      y -= hgt;
      const rect = svg('rect', {x: 30 + i * (barWidth + 4), y, width: barWidth,
                                height: hgt, class: `bar bar-${o.toLowerCase()}`});
      rect.appendChild(svg('title', {}, `${day}: ${n} ${o}`));
      bars.push(rect);
    }
    bars.push(svg('text', {x: 30 + i * (barWidth + 4), y: height + 14,
                           class: 'tl-label'}, day.slice(5)));
  });
  const width = 40 + days.length * (barWidth + 4);
  return h('figure', {class: 'chart'},
      svg('svg', {viewBox: `0 0 ${width} ${height + 20}`, width, height: height + 20,
                  role: 'img', 'aria-label': 'decisions per day', id: 'per-day'},
          svg('text', {x: 0, y: 12, class: 'tl-label'}, String(most)), ...bars),
      h('figcaption', {}, ...kOutcomes.map((o) => badge(o))));
}

export async function statsPage(ctx: PageContext): Promise<Page> {
  const days = Number(ctx.params.get('days') ?? '30');
  const start = days > 0 ? (Date.now() - days * 86400e3) * 1000 : 0;
  const stats = await ctx.api.stats(Math.floor(start), 0);
  const perBank = (stats.perBank ?? []).map((b) => [
    b.bank ?? '', badge(enumName('outcome', b.outcome)), String(toNumber(b.count))]);
  const picker = h('p', {class: 'range'}, 'Range: ', ...kRanges.map(([name, d]) =>
      h('a', {href: `#/stats?days=${d}`, class: d === days ? 'current' : ''},
        d === 0 ? 'all ' : `${name} days `)));
  replaceChildren(ctx.main, h('h1', {}, 'Stats'), picker,
      h('dl', {class: 'facts', id: 'stats-facts'},
        h('dt', {}, 'decided'), h('dd', {}, String(toNumber(stats.decidedCount))),
        h('dt', {}, 'time to decision'),
        h('dd', {}, `median ${formatDuration(stats.medianSecondsToDecision ?? 0)}, ` +
                    `90th percentile ${formatDuration(stats.p90SecondsToDecision ?? 0)}`),
        h('dt', {}, 'pending'), h('dd', {}, `${toNumber(stats.pendingCount)}` +
            (toNumber(stats.oldestPendingUnixMicros) > 0 ?
                 `, oldest waiting ${age(stats.oldestPendingUnixMicros)}` : ''))),
      h('h2', {}, 'Decisions per day (UTC)'), perDayChart(stats.perDay ?? []),
      h('h2', {}, 'Decisions per bank'),
      perBank.length > 0 ? table(['bank', 'outcome', 'decisions'], perBank, {id: 'per-bank'}) :
          h('p', {class: 'empty'}, 'No decisions in this range.'));
  return {onKey: null};
}
