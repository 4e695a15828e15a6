import { describe, expect, it } from 'vitest';
import { describeMemberOp, filterMembers } from './members';

const PROJECT = { scope: 'project' as const, name: 'demo-project' };

describe('members', () => {
  it('says what each change does before it is confirmed', () => {
    expect(describeMemberOp(PROJECT, { kind: 'invite', user: 'reviewer', role: 'project-viewer' }).text).toBe('reviewer joins project demo-project as project-viewer.');
    expect(describeMemberOp(PROJECT, { kind: 'role', user: 'reviewer', role: 'project-regular', from: 'project-viewer' }).text).toBe(
      'reviewer becomes project-regular in project demo-project (now project-viewer).',
    );
    const remove = describeMemberOp({ scope: 'workspace', name: 'demo-workspace' }, { kind: 'remove', user: 'reviewer', role: 'workspace-regular' });
    expect(remove.danger).toBe(true);
    expect(remove.text).toContain('leaves workspace demo-workspace');
  });

  it('finds members by user or role, sorted by user', () => {
    const ms = [
      { user: 'zoe', role: 'project-admin' },
      { user: 'reviewer', role: 'project-viewer' },
      { user: 'ann', role: 'project-viewer' },
    ];
    expect(filterMembers(ms, '').map((m) => m.user)).toEqual(['ann', 'reviewer', 'zoe']);
    expect(filterMembers(ms, 'VIEWER').map((m) => m.user)).toEqual(['ann', 'reviewer']);
    expect(filterMembers(ms, 'zo').map((m) => m.user)).toEqual(['zoe']);
  });
});
