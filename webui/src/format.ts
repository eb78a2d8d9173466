// Formatting of times, durations, labels and (protected) hashes.

import {button, h} from './dom.js';
import {Int64, toNumber} from './types.js';

export function formatTime(micros: Int64 | undefined): string {
  const ms = toNumber(micros) / 1000;
  if (ms <= 0) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

// How long ago `micros` was, e.g. "3 h 12 min".
export function age(micros: Int64 | undefined, nowMs = Date.now()): string {
  const at = toNumber(micros);
  if (at <= 0) return '—';
  return formatDuration((nowMs - at / 1000) / 1000);
}

// "FALSE_POSITIVE" -> "false positive".
export function label(name: string): string {
  return name.toLowerCase().replace(/_/g, ' ');
}

export function seconds(s: number | undefined): string {
  return `${(s ?? 0).toFixed(1)} s`;
}

const kShownDigits = 8;

// Reviewer protection: a hash (or a "kind:hex" content key) shows its first
// digits only; the reviewer reveals the rest with a click (or the page's
// "reveal hashes" switch, body.show-hashes).
export function protectedHash(value: string | undefined): HTMLElement {
  const text = value ?? '';
  const colon = text.indexOf(':');
  const prefix = colon >= 0 ? text.slice(0, colon + 1) : '';
  const hex = text.slice(prefix.length);
  if (hex.length <= kShownDigits) return h('code', {class: 'hash'}, text);
  const rest = h('span', {class: 'hash-rest'}, hex.slice(kShownDigits));
  const node = h('code', {class: 'hash', title: 'hash shortened'}, prefix,
                 hex.slice(0, kShownDigits), rest,
                 h('span', {class: 'hash-ellipsis'}, '…'));
  const toggle = button('show', () => {
    node.classList.toggle('revealed');
    toggle.textContent = node.classList.contains('revealed') ? 'hide' : 'show';
  }, {class: 'link hash-toggle', 'aria-label': 'show the whole hash'});
  return h('span', {class: 'hash-box'}, node, toggle);
}

// A badge for a verdict or an outcome, styled by its name.
export function badge(name: string): HTMLElement {
  return h('span', {class: `badge badge-${name.toLowerCase()}`}, label(name));
}
