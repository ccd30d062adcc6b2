import { el, replaceChildren } from './dom.ts';
import { adoptToken } from './page-api.ts';
import { advisoriesView } from './views/advisories-view.ts';
import { exceptionsView } from './views/exceptions-view.ts';
import { imageView } from './views/image-view.ts';
import { quarantineView } from './views/quarantine-view.ts';
import { registryView } from './views/registry-view.ts';
import { repositoryView } from './views/repository-view.ts';
import { vulnerabilityView } from './views/vulnerability-view.ts';

/** The findings page: one script, routes in the fragment (`#/`, `#/repository/R`, `#/image/R/D`, `#/quarantine/R`, `#/vulnerability/ID`, `#/advisories`, `#/exceptions`). */
const root = document.getElementById('app')!;

async function route(): Promise<void> {
  const hash = location.hash.replace(/^#/, '') || '/';
  const parts = hash.split('/').slice(1).map((part) => decodeURIComponent(part));
  replaceChildren(root, el('p', { class: 'status', role: 'status' }, 'Loading…'));
  try {
    if (parts[0] === 'repository' && parts[1]) return await repositoryView(root, parts[1]);
    if (parts[0] === 'image' && parts[1] && parts[2]) return await imageView(root, parts[1], parts[2]);
    if (parts[0] === 'quarantine' && parts[1]) return await quarantineView(root, parts[1]);
    if (parts[0] === 'vulnerability' && parts[1]) return await vulnerabilityView(root, parts[1]);
    if (parts[0] === 'advisories') return await advisoriesView(root);
    if (parts[0] === 'exceptions') return await exceptionsView(root);
    return await registryView(root);
  } catch (error) {
    replaceChildren(root, el('p', { class: 'error', role: 'alert' }, `Could not load this view: ${error instanceof Error ? error.message : String(error)}`));
  }
}

adoptToken();
window.addEventListener('hashchange', () => void route());
void route();
