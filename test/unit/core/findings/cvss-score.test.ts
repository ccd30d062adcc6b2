import { describe, expect, it } from 'vitest';
import { scoreCvss, severityOfScore } from '../../../../lambdas/core/findings/cvss-score.ts';

describe('scoreCvss', () => {
  // Base scores from FIRST's CVSS v3.1 "Examples" document (the same vectors score alike under 3.0).
  it.each([
    ['CVE-2014-0160 Heartbleed', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, 'HIGH'],
    ['CVE-2014-6271 Shellshock', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'CRITICAL'],
    ['CVE-2013-1937 phpMyAdmin XSS', 'AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'MEDIUM'],
    ['CVE-2013-0375 MySQL SQL injection', 'AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4, 'MEDIUM'],
    ['CVE-2014-3566 POODLE', 'AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1, 'LOW'],
    ['CVE-2012-1516 VMware guest to host', 'AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9, 'CRITICAL'],
    ['CVE-2009-0783 Tomcat XML parser', 'AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2, 'MEDIUM'],
    ['CVE-2012-0384 Cisco IOS', 'AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8, 'HIGH'],
    ['CVE-2015-1098 iWork', 'AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8, 'HIGH'],
    ['CVE-2016-0128 Badlock', 'AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N', 6.8, 'MEDIUM'],
  ])('v3 %s', (_name, metrics, score, severity) => {
    expect(scoreCvss('CVSS_V3', `CVSS:3.1/${metrics}`)).toEqual({ score, severity });
    expect(scoreCvss('CVSS_V3', `CVSS:3.0/${metrics}`)).toEqual({ score, severity });
  });

  // Scores from FIRST's CVSS v4.0 calculator.
  it.each([
    ['network, full impact', 'AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'CRITICAL'],
    ['network, confidentiality only', 'AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', 8.7, 'HIGH'],
    ['local, low privileges', 'AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5, 'HIGH'],
  ])('v4 %s', (_name, metrics, score, severity) => {
    expect(scoreCvss('CVSS_V4', `CVSS:4.0/${metrics}`)).toEqual({ score, severity });
  });

  it('reports the base score, not one lowered by temporal or threat metrics', () => {
    expect(scoreCvss('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U')?.score).toBe(9.8);
    expect(scoreCvss('CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U')?.score).toBe(9.3);
  });

  it('rates a 0.0 ("None") vector LOW', () => {
    expect(scoreCvss('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N')).toEqual({ score: 0, severity: 'LOW' });
    expect(scoreCvss('CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N')).toEqual({ score: 0, severity: 'LOW' });
  });

  it.each([
    ['CVSS_V3', 'garbage'],
    ['CVSS_V3', ''],
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H'], // a base metric missing
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q'], // unknown value
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:X'], // unknown metric
    ['CVSS_V3', 'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'], // metric given twice
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/'], // empty part
    ['CVSS_V3', 'cvss:3.1/av:n/ac:l/pr:n/ui:n/s:u/c:h/i:h/a:h'],
    ['CVSS_V3', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'], // no version prefix
    ['CVSS_V3', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'], // a v4 vector typed v3
    ['CVSS_V4', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'], // a v3 vector typed v4
    ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'], // v3 metrics under a v4 prefix
    ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N'],
  ] as const)('%s %j is malformed: undefined, no throw', (type, vector) => {
    expect(scoreCvss(type, vector)).toBeUndefined();
  });
});

describe('severityOfScore', () => {
  it.each([
    [0, 'LOW'],
    [0.1, 'LOW'],
    [3.9, 'LOW'],
    [4.0, 'MEDIUM'],
    [6.9, 'MEDIUM'],
    [7.0, 'HIGH'],
    [8.9, 'HIGH'],
    [9.0, 'CRITICAL'],
    [10, 'CRITICAL'],
  ])('%d is %s on the qualitative scale', (score, severity) => {
    expect(severityOfScore(score)).toBe(severity);
  });
});
