/**
 * Builds DOM from values with textContent and setAttribute only: nothing the API returns (advisory
 * titles, package names, reasons) is ever parsed as HTML, so a `<script>` in an advisory is text.
 */
export type Child = Node | string | number | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Readonly<Record<string, string | undefined>> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    // Event handler attributes and URLs go through their own helpers, never through here.
    if (/^on/i.test(name) || name === 'href' || name === 'src' || name === 'style') throw new Error(`el(): ${name} is not set this way`);
    element.setAttribute(name, value);
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** A link inside the page (a `#/…` route). */
export function routeLink(route: string, ...children: Child[]): HTMLAnchorElement {
  const link = el('a', {}, ...children);
  link.href = `#${route}`;
  return link;
}

/** A link out, only for http(s) URLs; anything else (`javascript:`, `data:`) is shown as text. */
export function externalLink(url: string, label: string = url): HTMLElement {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return el('span', { class: 'unsafe-url' }, label);
  const link = el('a', { rel: 'noopener noreferrer', target: '_blank' }, label);
  link.href = parsed.href;
  return link;
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
