import { describe, expect, it } from 'vitest';
import { childText, readXml, type XmlElement } from '../../../../../lambdas/core/catalog/java/xml-reader.ts';

const LIMITS = { maxChars: 10_000, maxDepth: 8, maxElements: 100 };

function root(text: string): XmlElement {
  const result = readXml(text, LIMITS);
  if ('problem' in result) throw new Error(result.problem);
  return result.root;
}
const problem = (text: string, limits = LIMITS) => {
  const result = readXml(text, limits);
  return 'problem' in result ? result.problem : undefined;
};

describe('xml reader', () => {
  it('reads elements, text, references, CDATA, comments and prefixes, skipping attributes', () => {
    const doc = root(`\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!-- leading comment -->
<p:project xmlns:p="urn:x" a='x > y' b="1/>">
  <name>A &amp; B &#x41;&#66; &lt;ok&gt;</name>
  <empty/>
  <data><![CDATA[<not> &markup;]]></data>
  <?pi inside?>
</p:project>
trailing`);
    expect(doc.name).toBe('project');
    expect(doc.children.map((child) => child.name)).toEqual(['name', 'empty', 'data']);
    expect(childText(doc, 'name')).toBe('A & B AB <ok>');
    expect(childText(doc, 'empty')).toBe('');
    expect(childText(doc, 'data')).toBe('<not> &markup;');
    expect(childText(doc, 'missing')).toBeUndefined();
  });

  it('refuses DTDs and entities instead of expanding them', () => {
    const billionLaughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><project>&lol2;</project>';
    expect(problem(billionLaughs)).toBe('declares a DOCTYPE, which is not read');
    expect(problem('<!DOCTYPE project SYSTEM "http://example.invalid/x.dtd"><project/>')).toBe('declares a DOCTYPE, which is not read');
    expect(problem('<project>&xxe;</project>')).toBe('uses the undeclared entity &xxe;');
    expect(problem('<project>a & b</project>')).toMatch(/^has a bare "&"/);
    expect(problem('<project>&#0;</project>')).toBe('has an invalid character reference &#0;');
  });

  it('enforces its caps and reports malformed documents', () => {
    expect(problem('<a>' + 'x'.repeat(20_000) + '</a>')).toBe('larger than 10000 characters');
    expect(problem('<a>'.repeat(9) + '</a>'.repeat(9))).toBe('nests elements more than 8 deep');
    expect(problem(`<a>${'<b/>'.repeat(100)}</a>`)).toBe('has more than 100 elements');
    expect(problem('<a><b></a>')).toMatch(/^has a mismatched closing tag/);
    expect(problem('<a><b>')).toBe('ends inside <b>');
    expect(problem('<a x="1>')).toBe('ends inside an attribute of <a>');
    expect(problem('text<a/>')).toBe('has text outside the root element');
    expect(problem('')).toBe('has no root element');
    expect(problem('<a><!-- open')).toBe('ends inside a comment');
    expect(problem('<a><!ELEMENT x ANY></a>')).toMatch(/^has unexpected markup/);
  });

  it('reads a large flat document in bounded time', () => {
    const big = `<project>${'<dependency><groupId>g</groupId></dependency>'.repeat(10_000)}</project>`;
    const started = performance.now();
    const result = readXml(big, { maxChars: 1024 * 1024, maxDepth: 32, maxElements: 50_000 });
    expect('root' in result && result.root.children).toHaveLength(10_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
