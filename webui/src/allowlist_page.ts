// The allowlist: suppressed (content key, entry) pairs; an admin removes one
// with a reason (recorded in the audit trail).

import {button, Child, h, replaceChildren, table} from './dom.js';
import {formatTime, protectedHash} from './format.js';
import {isAdmin, Page, PageContext} from './page.js';
import type {AllowlistEntry} from './types.js';

function removeForm(ctx: PageContext, entry: AllowlistEntry, cell: HTMLElement):
    void {
  const reason = h('input', {type: 'text', class: 'reason', size: 24,
                             placeholder: 'reason (required)', required: true});
  const form = h('form', {class: 'remove-form'}, reason,
                 h('button', {type: 'submit'}, 'Remove'),
                 button('Cancel', () => void allowlistPage(ctx)));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (reason.value.trim() === '') {
      ctx.notify('Say why the pair is removed.', 'error');
      return;
    }
    try {
      await ctx.api.removeAllowlistEntry(entry.contentKey ?? '', entry.bank ?? '',
                                         entry.entryId ?? '', reason.value.trim());
      ctx.notify(`Removed ${entry.bank ?? ''}/${entry.entryId ?? ''} from the allowlist.`);
      await allowlistPage(ctx);
    } catch (err) {
      ctx.notify(err instanceof Error ? err.message : String(err), 'error');
    }
  });
  replaceChildren(cell, form);
  reason.focus();
}

function row(ctx: PageContext, entry: AllowlistEntry): Child[] {
  const matchId = String(entry.matchId ?? '0');
  const cell = h('span', {});
  if (isAdmin(ctx.session)) {
    cell.appendChild(button('remove…', () => removeForm(ctx, entry, cell),
                            {class: 'remove'}));
  }
  return [protectedHash(entry.contentKey), entry.bank ?? '', entry.entryId ?? '',
          h('a', {href: `#/match/${matchId}`}, `#${matchId}`), entry.addedBy ?? '',
          formatTime(entry.addedUnixMicros), cell];
}

export async function allowlistPage(ctx: PageContext): Promise<Page> {
  const token = ctx.params.get('page') ?? '';
  const heading = h('h1', {}, 'Allowlist');
  if (!isAdmin(ctx.session)) {
    replaceChildren(ctx.main, heading, h('p', {class: 'notice-error', id: 'allowlist-refused'},
        'The allowlist needs the admin role.'));
    return {onKey: null};
  }
  const list = await ctx.api.allowlist(token);
  const entries = list.entries ?? [];
  replaceChildren(ctx.main, heading,
      h('p', {}, 'A pair here makes that entry ignore that content; remove it ' +
                 'and the next Check of the content matches again.'),
      entries.length === 0 ? h('p', {class: 'empty', id: 'allowlist-empty'}, 'The allowlist is empty.') :
          table(['content key', 'bank', 'entry', 'match', 'added by', 'added', ''],
                entries.map((e) => row(ctx, e)), {id: 'allowlist', class: 'allowlist'}),
      list.nextPageToken ? button('Next page', () => {
        ctx.navigate(`#/allowlist?page=${encodeURIComponent(list.nextPageToken ?? '')}`);
      }) : null);
  return {onKey: null};
}
