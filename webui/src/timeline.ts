// The matched time ranges of a video match drawn on a timeline of both
// videos: the upload (its length from the record's vPDQ frames) and the
// banked video (its length is not recorded: at least the end of its last
// matched range, and, from target_pct, about what the ranges cover).

import {h, svg} from './dom.js';
import {seconds} from './format.js';
import type {Match, TimeRange} from './types.js';

const kWidth = 640;
const kLeft = 70;
const kBarHeight = 14;

function rangeLength(ranges: TimeRange[]): number {
  return ranges.reduce(
      (sum, r) => sum + Math.max(0, (r.endSeconds ?? 0) - (r.startSeconds ?? 0)), 0);
}

function lastEnd(ranges: TimeRange[]): number {
  return ranges.reduce((m, r) => Math.max(m, r.endSeconds ?? 0), 0);
}

// The banked video's length, estimated.
export function bankedLength(match: Match): number {
  const ranges = match.targetRanges ?? [];
  const pct = match.targetPct ?? 0;
  const fromPct = pct > 0 ? rangeLength(ranges) * 100 / pct : 0;
  return Math.max(lastEnd(ranges), fromPct);
}

function row(y: number, name: string, length: number, ranges: TimeRange[],
             scale: number, cls: string): SVGElement[] {
  const out: SVGElement[] = [
    svg('text', {x: 0, y: y + 11, class: 'tl-label'}, name),
    svg('rect', {x: kLeft, y, width: length * scale, height: kBarHeight,
                 class: 'tl-video'}),
    svg('text', {x: kLeft + length * scale + 6, y: y + 11, class: 'tl-label'},
        seconds(length)),
  ];
  for (const r of ranges) {
    const start = r.startSeconds ?? 0;
    const end = Math.max(start, r.endSeconds ?? 0);
    const rect = svg('rect', {
      x: kLeft + start * scale, y, width: Math.max(2, (end - start) * scale),
      height: kBarHeight, class: `tl-range ${cls}`,
    });
    rect.appendChild(svg('title', {}, `${seconds(start)} – ${seconds(end)}`));
    out.push(rect);
  }
  return out;
}

// Lines joining the i-th upload range to the i-th banked range.
function links(query: TimeRange[], target: TimeRange[], scale: number,
               y1: number, y2: number): SVGElement[] {
  const out: SVGElement[] = [];
  for (let i = 0; i < Math.min(query.length, target.length); ++i) {
    out.push(svg('line', {
      x1: kLeft + (query[i].startSeconds ?? 0) * scale, y1,
      x2: kLeft + (target[i].startSeconds ?? 0) * scale, y2, class: 'tl-link',
    }));
  }
  return out;
}

export function videoTimeline(match: Match, uploadSeconds: number):
    HTMLElement {
  const query = match.queryRanges ?? [];
  const target = match.targetRanges ?? [];
  const upload = Math.max(uploadSeconds, lastEnd(query));
  const banked = bankedLength(match);
  const longest = Math.max(upload, banked, 1);
  const scale = (kWidth - kLeft - 60) / longest;
  const picture = svg('svg', {
    viewBox: `0 0 ${kWidth} 64`, width: kWidth, height: 64, class: 'timeline',
    role: 'img',
    'aria-label': `matched ranges: upload ${query.length}, banked ${target.length}`,
  },
  ...row(4, 'upload', upload, query, scale, 'tl-query'),
  ...links(query, target, scale, 4 + kBarHeight, 44),
  ...row(44, 'banked', banked, target, scale, 'tl-target'));
  const list = (ranges: TimeRange[]) => ranges.map(
      (r) => `${seconds(r.startSeconds)}–${seconds(r.endSeconds)}`).join(', ') || '—';
  return h('figure', {class: 'timeline-box'}, picture,
           h('figcaption', {}, `upload: ${list(query)}; banked: ${list(target)}`));
}
