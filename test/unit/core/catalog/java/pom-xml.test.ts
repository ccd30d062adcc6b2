import { describe, expect, it } from 'vitest';
import { MAX_POM_BYTES, pomCoordinates } from '../../../../../lambdas/core/catalog/java/pom-xml.ts';

const pom = (body: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n${body}\n</project>\n`);
const coordinates = (body: string) => pomCoordinates(pom(body));
const PARENT = '<parent><groupId>org.parent</groupId><artifactId>parent</artifactId><version>3.1.4</version></parent>';

describe('embedded pom.xml', () => {
  it('reads its own coordinates, not those of dependencies or plugins', () => {
    const body = `<dependencies><dependency><groupId>dep</groupId><artifactId>d</artifactId><version>9</version></dependency></dependencies>
  <groupId>org.example</groupId><artifactId>lib</artifactId><version> 1.2.3 </version>`;
    expect(coordinates(body)).toEqual({ coordinates: { group: 'org.example', artifact: 'lib', version: '1.2.3' } });
  });

  it('inherits groupId and version from <parent>, never the artifactId', () => {
    expect(coordinates(`${PARENT}<artifactId>child</artifactId>`)).toEqual({ coordinates: { group: 'org.parent', artifact: 'child', version: '3.1.4' } });
    expect(coordinates(`${PARENT}<groupId>org.own</groupId><artifactId>child</artifactId>`)).toEqual({ coordinates: { group: 'org.own', artifact: 'child', version: '3.1.4' } });
    expect(coordinates(PARENT)).toEqual({ coordinates: { group: 'org.parent', version: '3.1.4' } });
  });

  it('resolves placeholders from its properties and its project and parent fields', () => {
    const body = `${PARENT}<groupId>\${project.parent.groupId}.tools</groupId><artifactId>\${name}</artifactId>
  <version>\${revision}\${changelist}</version>
  <properties><name>tool</name><revision>\${base}.0</revision><base>\${parent.major}</base><parent.major>2.5</parent.major><changelist>-beta</changelist></properties>`;
    expect(coordinates(body)).toEqual({ coordinates: { group: 'org.parent.tools', artifact: 'tool', version: '2.5.0-beta' } });
    expect(coordinates(`${PARENT}<artifactId>c</artifactId><version>\${pom.parent.version}-1</version>`)).toEqual({ coordinates: { group: 'org.parent', artifact: 'c', version: '3.1.4-1' } });
  });

  it('leaves out what the archive cannot resolve instead of reporting a fake version', () => {
    // Set with -Drevision=… at build time: not in the archive.
    expect(coordinates('<groupId>g</groupId><artifactId>a</artifactId><version>${revision}</version>')).toEqual({ coordinates: { group: 'g', artifact: 'a' } });
    expect(coordinates('<groupId>g</groupId><artifactId>a</artifactId><version>${project.version}</version>')).toEqual({ coordinates: { group: 'g', artifact: 'a' } });
    expect(coordinates('<groupId>g</groupId><artifactId>a</artifactId><version>${a}</version><properties><a>${b}</a><b>${a}</b></properties>')).toEqual({ coordinates: { group: 'g', artifact: 'a' } });
    expect(coordinates('<groupId>${env.GROUP}</groupId><artifactId>a</artifactId><version>1 0</version>')).toEqual({ coordinates: { artifact: 'a' } });
  });

  it('reports hostile or broken poms as problems', () => {
    expect(pomCoordinates(Buffer.from('<!DOCTYPE project [<!ENTITY v "1.0">]><project><version>&v;</version></project>'))).toEqual({ problem: 'pom.xml declares a DOCTYPE, which is not read' });
    expect(pomCoordinates(Buffer.from('<settings/>'))).toEqual({ problem: "pom.xml's root element is <settings>, not <project>" });
    expect(pomCoordinates(new Uint8Array(MAX_POM_BYTES + 1))).toEqual({ problem: `pom.xml is larger than ${MAX_POM_BYTES} bytes, not read` });
    const deep = pom(`<properties>${'<p0>'.repeat(40)}${'</p0>'.repeat(40)}</properties>`);
    expect(pomCoordinates(deep)).toEqual({ problem: 'pom.xml nests elements more than 32 deep' });
  });
});
