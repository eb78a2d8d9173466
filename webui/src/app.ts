// The reviewers' page: a single page with hash routes
//   #/queue?FILTERS   the review queue (pending, oldest first)
//   #/match/ID        one match: evidence, decision, audit trail
//   #/allowlist       allowlisted pairs (admin)
//   #/audit           the whole audit trail
//   #/stats           decisions per day and bank, time to decision
// Keyboard: see the help ("?").

import {Api, ApiError, Query} from './api.js';
import {auditPage} from './audit_page.js';
import {allowlistPage} from './allowlist_page.js';
import {button, h, replaceChildren} from './dom.js';
import {matchPage} from './match_page.js';
import {canDecide, Page, PageContext} from './page.js';
import {queuePage} from './queue_page.js';
import {statsPage} from './stats_page.js';
import type {Session} from './types.js';

type Route = (ctx: PageContext) => Promise<Page>;

const kRoutes: Array<[RegExp, (m: RegExpMatchArray) => Route]> = [
  [/^#\/queue$/, () => queuePage],
  [/^#\/match\/(\d+)$/, (m) => (ctx) => matchPage(ctx, m[1])],
  [/^#\/allowlist$/, () => allowlistPage],
  [/^#\/audit$/, () => auditPage],
  [/^#\/stats$/, () => statsPage],
];

const kHelp: Array<[string, string]> = [
  ['j / k', 'queue: next / previous row'], ['Enter', 'queue: open the row'],
  ['c', 'match: CONFIRMED'], ['f', 'match: FALSE_POSITIVE'],
  ['e', 'match: ESCALATED'], ['n', 'match: next item without deciding'],
  ['u / Esc', 'back to the queue'], ['v', 'reveal / hide the preview'],
  ['h', 'show / hide whole hashes'], ['?', 'this help'],
];

class App {
  private readonly api = new Api();
  private session: Session = {};
  private page: Page = {onKey: null};
  private queueQuery: Query = {status: 'PENDING', order: 'OLDEST_FIRST'};
  // A notice given just before a navigation stays for the next page.
  private keepNotice = false;
  // Counts routes: a page that loads after a later route began is dropped.
  private routes = 0;
  private readonly main = document.getElementById('main') as HTMLElement;
  private readonly notice = document.getElementById('notice') as HTMLElement;
  private readonly help = document.getElementById('help') as HTMLElement;

  async start(): Promise<void> {
    document.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('hashchange', () => void this.route());
    try {
      this.session = await this.api.session();
    } catch (e) {
      this.showSignedOut(e);
      return;
    }
    this.drawHeader();
    this.drawHelp();
    if (!canDecide(this.session)) {
      this.showRefused();
      return;
    }
    await this.route();
  }

  // A session without the reviewer role: the daemon refuses every review
  // call, so the page says why instead of drawing empty pages.
  private showRefused(): void {
    const name = this.session.reviewer ?? '';
    const why = name === '' ?
        'No reviewer: this plaintext listener has no web_local_reviewer, so ' +
            'the daemon refuses to list or decide.' :
        `Refused: ${name} has no reviewer role.`;
    document.body.classList.add('refused');
    replaceChildren(this.main, h('section', {class: 'refused-box', id: 'refused'},
        h('h1', {}, why),
        h('p', {}, 'Reviewers sign in with a client certificate that has the ' +
                   'reviewer role (docs/REVIEW.md, "Web page").')));
  }

  private showSignedOut(e: unknown): void {
    const status = e instanceof ApiError ? e.httpStatus : 0;
    const why = status === 401 ? 'Not signed in: this page needs a client ' +
            'certificate with the reviewer role.' :
        'The daemon did not answer.';
    document.body.classList.add('refused');
    replaceChildren(this.main, h('section', {class: 'refused-box', id: 'refused'},
        h('h1', {}, why),
        h('p', {}, e instanceof Error ? e.message : String(e))));
  }

  private drawHeader(): void {
    const who = document.getElementById('who') as HTMLElement;
    const reviewer = this.session.reviewer ?? '';
    replaceChildren(who, reviewer !== '' ? `${reviewer}` : 'no reviewer',
        ' · ', (this.session.roles ?? []).join(', ') || 'no roles');
  }

  private drawHelp(): void {
    replaceChildren(this.help, h('h2', {}, 'Keyboard'),
        h('dl', {}, ...kHelp.flatMap(([k, what]) => [h('dt', {}, h('kbd', {}, k)),
                                                       h('dd', {}, what)])),
        button('Close', () => this.help.classList.add('hidden')));
  }

  notify(message: string, kind: 'info' | 'error' = 'info'): void {
    this.keepNotice = true;
    replaceChildren(this.notice, h('div', {class: `notice notice-${kind}`,
                                           role: kind === 'error' ? 'alert' : 'status'},
                                   message));
  }

  private async route(): Promise<void> {
    const raw = location.hash === '' ? '#/queue' : location.hash;
    const q = raw.indexOf('?');
    const path = q >= 0 ? raw.slice(0, q) : raw;
    const params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
    const found = kRoutes.map(([re, make]) => {
      const m = path.match(re);
      return m ? make(m) : null;
    }).find((r) => r !== null);
    for (const link of document.querySelectorAll('nav a')) {
      link.classList.toggle('current', path.startsWith(link.getAttribute('href') ?? '-'));
    }
    if (!this.keepNotice) replaceChildren(this.notice);
    this.keepNotice = false;
    this.page = {onKey: null};
    // The previous page goes at once: until this one has loaded, nothing
    // on screen belongs to another match or another query.
    const route = ++this.routes;
    delete this.main.dataset.shown;
    if (!found) {
      replaceChildren(this.main, h('h1', {}, 'No such page'));
      return;
    }
    replaceChildren(this.main, h('p', {id: 'loading'}, 'Loading…'));
    const view = h('div', {class: 'view'});
    const ctx: PageContext = {
      api: this.api, session: this.session, main: view, params,
      notify: (m, k) => this.notify(m, k), navigate: (hsh) => this.navigate(hsh),
      queueQuery: this.queueQuery,
    };
    let page: Page = {onKey: null};
    let failed = false;
    let failure: unknown;
    try {
      page = await found(ctx);
    } catch (e) {
      failed = true;
      failure = e;
    }
    if (route !== this.routes) return;
    if (failed) {
      replaceChildren(view, h('h1', {}, 'Could not load this page'));
      this.notify(failure instanceof Error ? failure.message : String(failure), 'error');
    }
    replaceChildren(this.main, view);
    this.main.dataset.shown = raw;  // what tests wait for
    this.page = page;
    this.queueQuery = ctx.queueQuery;
    this.keepNotice = false;
  }

  navigate(hash: string): void {
    if (location.hash === hash) {
      void this.route();
    } else {
      location.hash = hash;
    }
  }

  private onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement | null;
    const tag = target?.tagName ?? '';
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
      if (e.key === 'Escape') target?.blur();
      return;
    }
    if (e.key === '?') {
      this.help.classList.toggle('hidden');
    } else if (e.key === 'h') {
      document.body.classList.toggle('show-hashes');
    } else if (!(this.page.onKey?.(e) ?? false)) {
      return;
    }
    e.preventDefault();
  }
}

void new App().start();
