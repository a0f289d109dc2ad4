// The shell: sign-in when the tab holds no token, else the navigation and the page the fragment names.
import { html } from '../html.js';
import { client } from '../api.js';
import { usePoll } from '../poll.js';
import { useSignal } from '../signal.js';
import { signOut, token } from '../token.js';
import { route } from '../route.js';
import { SignIn } from './sign-in.js';
import { SessionsPage } from './sessions-page.js';
import { SessionPage } from './session-page.js';
import { ApprovalsPage } from './approvals-page.js';
import { AuditPage } from './audit-page.js';
import { OrchestrationPage, OrchestrationsPage } from './orchestrations-page.js';
import { PipelinePage, PipelinesPage } from './pipelines-page.js';
import { ReviewPage, ReviewsPage } from './reviews-page.js';

const NAV = [
  { href: '#/sessions', label: 'Sessions', pages: ['sessions', 'session'] },
  { href: '#/approvals', label: 'Approvals', pages: ['approvals'] },
  { href: '#/orchestrations', label: 'Orchestrations', pages: ['orchestrations', 'orchestration'] },
  { href: '#/pipelines', label: 'Pipelines', pages: ['pipelines', 'pipeline'] },
  { href: '#/reviews', label: 'Reviews', pages: ['reviews', 'review'] },
  { href: '#/audit', label: 'Audit', pages: ['audit'] },
];

export function App() {
  const t = useSignal(token);
  return t ? html`<${Shell} key=${t} />` : html`<${SignIn} />`;
}

function Shell() {
  const r = useSignal(route);
  // how many requests wait for a person, shown on the Approvals link from every page
  const pending = usePoll(() => client().listApprovals(), 3000).data?.length ?? 0;
  let page;
  switch (r.page) {
    case 'sessions':
      page = html`<${SessionsPage} />`;
      break;
    case 'session':
      page = html`<${SessionPage} key=${r.id} id=${r.id} />`;
      break;
    case 'approvals':
      page = html`<${ApprovalsPage} />`;
      break;
    case 'audit':
      page = html`<${AuditPage} />`;
      break;
    case 'orchestrations':
      page = html`<${OrchestrationsPage} />`;
      break;
    case 'orchestration':
      page = html`<${OrchestrationPage} key=${r.id} id=${r.id} />`;
      break;
    case 'pipelines':
      page = html`<${PipelinesPage} />`;
      break;
    case 'pipeline':
      page = html`<${PipelinePage} key=${r.id} id=${r.id} />`;
      break;
    case 'reviews':
      page = html`<${ReviewsPage} />`;
      break;
    case 'review':
      page = html`<${ReviewPage} key=${r.id} id=${r.id} />`;
      break;
    default:
      page = html`<h1>Not found</h1><p>No page at <code>${r.path}</code>. <a href="#/sessions">Sessions</a></p>`;
  }
  return html`<a class="skip" href="#main" onClick=${(e: Event) => (e.preventDefault(), document.getElementById('main')?.focus())}>Skip to content</a>
    <header class="top">
      <span class="brand">aintegrix</span>
      <nav aria-label="Main">
        ${NAV.map(
          (n) => html`<a href=${n.href} aria-current=${n.pages.includes(r.page) ? 'page' : undefined}>${n.label}${n.href === '#/approvals' && pending > 0
            ? html` <span class="count" aria-label=${`${pending} pending`}>${pending}</span>`
            : null}</a>`,
        )}
      </nav>
      <button type="button" class="link" onClick=${signOut}>Sign out</button>
    </header>
    <main id="main" tabindex="-1">${page}</main>`;
}
