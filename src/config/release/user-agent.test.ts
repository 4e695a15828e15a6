import { describe, expect, it } from 'vitest';
import { compileRe2, re2Error } from '../validate/re2.js';
import { USER_AGENTS } from './user-agent-table.js';
import { BROWSERS, OPERATING_SYSTEMS, userAgentRegex } from './user-agent.js';

const matches = (regex: string | undefined, ua: string): boolean => compileRe2(regex as string).test(ua);

describe('userAgentRegex over real browsers', () => {
  it('every regex it builds is RE2', () => {
    for (const os of OPERATING_SYSTEMS) for (const b of BROWSERS) expect(re2Error(userAgentRegex([os], [b]) as string)).toBeUndefined();
    expect(re2Error(userAgentRegex(OPERATING_SYSTEMS, BROWSERS) as string)).toBeUndefined();
  });

  it.each(USER_AGENTS)('%s', (_label, ua, os, browser) => {
    for (const o of OPERATING_SYSTEMS) expect([o, matches(userAgentRegex([o]), ua)]).toEqual([o, o === os]);
    for (const b of BROWSERS) expect([b, matches(userAgentRegex([], [b]), ua)]).toEqual([b, b === browser]);
    // OS and browser together: both must hold.
    for (const o of OPERATING_SYSTEMS) {
      for (const b of BROWSERS) expect([o, b, matches(userAgentRegex([o], [b]), ua)]).toEqual([o, b, o === os && b === browser]);
    }
  });

  it('any of several systems or browsers', () => {
    const re = userAgentRegex(['android', 'ios'], ['chrome', 'safari']);
    const hit = USER_AGENTS.filter(([, ua]) => matches(re, ua)).map(([label]) => label);
    expect(hit).toEqual(
      USER_AGENTS.filter(([, , os, b]) => (os === 'android' || os === 'ios') && (b === 'chrome' || b === 'safari')).map(([label]) => label),
    );
    expect(hit.length).toBeGreaterThan(4);
  });

  it('nothing asked, no regex', () => {
    expect(userAgentRegex([], [])).toBeUndefined();
  });
});
