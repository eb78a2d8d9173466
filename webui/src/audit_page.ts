// The whole audit trail, oldest first, paged.

import {auditTable} from './audit_view.js';
import {button, h, replaceChildren} from './dom.js';
import type {Page, PageContext} from './page.js';

export async function auditPage(ctx: PageContext): Promise<Page> {
  const token = ctx.params.get('page') ?? '';
  const list = await ctx.api.audit(token);
  replaceChildren(ctx.main, h('h1', {}, 'Audit trail'),
      h('p', {}, 'Every decision and allowlist change, hash-chained ' +
                 '(clearmatch review verify-audit checks the chain).'),
      auditTable(list.entries ?? [], true),
      h('p', {class: 'paging'},
        token !== '' ? button('First page', () => ctx.navigate('#/audit')) : null,
        list.nextPageToken ? button('Next page', () => ctx.navigate(
            `#/audit?page=${encodeURIComponent(list.nextPageToken ?? '')}`)) : null));
  return {onKey: null};
}
