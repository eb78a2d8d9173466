// The evidence of one match record: what matched (every entry), the video
// timelines, the hashes the content was matched on (shortened), and the
// platform's own viewer (a link; an embedded preview stays blurred and grey
// until the reviewer reveals it).

import {button, h, table} from './dom.js';
import {badge, label, protectedHash, seconds} from './format.js';
import {videoTimeline} from './timeline.js';
import {enumName, Hashes, Match, MatchRecord} from './types.js';

// A PDQ hash's quality; a caller's hash sent without one has none.
function pdqQuality(quality: number | undefined): string {
  return quality === undefined ? 'unknown' : String(quality);
}

// The quality of the query's hash that matched (PDQ entries).
function qualityOf(match: Match, hashes: Hashes): string {
  if (match.hashType === 'vpdq' || (match.queryRanges ?? []).length > 0) {
    const frames = hashes.vpdq ?? [];
    if (frames.length === 0) return '—';
    const mean = frames.reduce((s, f) => s + (f.quality ?? 0), 0) / frames.length;
    return `${Math.round(mean)} (mean of ${frames.length} frames)`;
  }
  if (match.hashType !== 'pdq') return '—';
  const transform = match.transform || 'original';
  const pdq = (hashes.pdq ?? []).find((p) => (p.transform || 'original') === transform);
  return pdq ? pdqQuality(pdq.quality) : '—';
}

function variantOf(match: Match): {trimmed: boolean; dihedral: string} {
  const t = match.transform || 'original';
  const trimmed = t === 'trimmed' || t.startsWith('trimmed+');
  const rest = t.startsWith('trimmed+') ? t.slice(8) : trimmed ? 'original' : t;
  return {trimmed, dihedral: rest};
}

function videoCell(m: Match): string {
  const rule = enumName('videoRule', m.videoRule);
  if (rule === 'VIDEO_RULE_NONE' && (m.queryRanges ?? []).length === 0) return '—';
  const parts = [rule !== 'VIDEO_RULE_NONE' ? label(rule) : 'frames'];
  if (m.queryPct || m.targetPct) {
    parts.push(`${(m.queryPct ?? 0).toFixed(0)}% / ${(m.targetPct ?? 0).toFixed(0)}%`);
  }
  if (m.segmentSeconds) parts.push(`segment ${seconds(m.segmentSeconds)}`);
  if (m.referenceRuleMatch) parts.push('reference rule');
  return parts.join(', ');
}

export function entriesTable(record: MatchRecord): HTMLElement {
  const hashes = record.queryHashes ?? {};
  const rows = (record.matches ?? []).map((m) => {
    const v = variantOf(m);
    return [m.bank ?? '', h('span', {class: 'entry-id'}, m.entryId ?? ''),
            m.category ?? '', m.hashType ?? '', String(m.distance ?? 0),
            qualityOf(m, hashes), m.transform || 'original', v.trimmed ? 'yes' : 'no',
            v.dihedral === 'original' ? 'no' : v.dihedral,
            badge(enumName('decision', m.decision)), m.shadow ? 'shadow' : '',
            videoCell(m)];
  });
  return table(['bank', 'entry', 'category', 'hash type', 'distance',
                'quality', 'transform', 'trimmed', 'dihedral', 'calls for',
                'mode', 'video'], rows, {class: 'entries', id: 'entries'});
}

// A timeline per video match (an entry with time ranges).
export function timelines(record: MatchRecord): HTMLElement[] {
  const frames = record.queryHashes?.vpdq ?? [];
  const uploadSeconds = frames.reduce((m, f) => Math.max(m, f.seconds ?? 0), 0);
  return (record.matches ?? [])
      .filter((m) => (m.queryRanges ?? []).length + (m.targetRanges ?? []).length > 0)
      .map((m) => h('div', {class: 'video-match'},
                    h('h3', {}, `${m.bank ?? ''} / ${m.entryId ?? ''}`),
                    videoTimeline(m, uploadSeconds)));
}

export function hashList(hashes: Hashes): HTMLElement {
  const items: Node[] = [];
  for (const p of hashes.pdq ?? []) {
    items.push(h('li', {}, `pdq ${p.transform || 'original'} (quality ${pdqQuality(p.quality)}) `,
                 protectedHash(p.hash)));
  }
  for (const kind of ['md5', 'sha1', 'sha256'] as const) {
    if (hashes[kind]) items.push(h('li', {}, `${kind} `, protectedHash(hashes[kind])));
  }
  const frames = hashes.vpdq ?? [];
  if (frames.length > 0) {
    const last = frames.reduce((m, f) => Math.max(m, f.seconds ?? 0), 0);
    items.push(h('li', {}, `vpdq: ${frames.length} frames over ${seconds(last)}`));
  }
  return h('ul', {class: 'hashes', id: 'hashes'}, ...items);
}

// The viewer's URL for the content, or null when the template is unset or
// does not make an http(s) URL.
export function viewerUrl(template: string | undefined, contentId: string):
    string | null {
  if (!template) return null;
  const url = template.split('{content_id}').join(encodeURIComponent(contentId));
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

// The link to the platform's viewer and a protected preview: blurred and
// grey until the reviewer clicks "Reveal" (or presses v).
export function viewer(url: string | null): {node: HTMLElement; toggle: () => void} {
  if (url === null) {
    return {node: h('p', {class: 'muted'}, 'No content viewer configured ' +
                    '(content_url_template).'), toggle: () => {}};
  }
  const img = h('img', {src: url, alt: 'preview from the content viewer',
                        referrerpolicy: 'no-referrer'});
  const frame = h('div', {class: 'preview protected', id: 'preview'}, img);
  img.addEventListener('error', () => {
    frame.replaceChild(h('p', {class: 'muted'}, 'No preview: the viewer\'s ' +
        'page is not an image this page may show. Use the link.'), img);
  });
  const toggle = () => {
    frame.classList.toggle('protected');
    reveal.textContent = frame.classList.contains('protected') ?
        'Reveal preview (v)' : 'Blur preview (v)';
  };
  const reveal = button('Reveal preview (v)', toggle, {id: 'reveal'});
  return {node: h('div', {class: 'viewer'},
      h('a', {href: url, target: '_blank', rel: 'noopener noreferrer',
              id: 'viewer-link'}, 'Open in the content viewer ↗'),
      frame, reveal), toggle};
}
