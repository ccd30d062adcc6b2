/** PEP 503 normalisation: `Jinja2` → `jinja2`, `zope.interface` → `zope-interface`. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
