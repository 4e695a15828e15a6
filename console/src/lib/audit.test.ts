import { describe, expect, it } from 'vitest';
import { describeAuditAction } from './audit';

const say = (method: string, path: string, objects?: string): string => describeAuditAction({ method, path, ...(objects ? { objects } : {}) });

describe('describeAuditAction', () => {
  it('names project and member changes', () => {
    expect(say('PATCH', '/api/v1/projects/demo-project')).toBe('change the settings of project demo-project');
    expect(say('POST', '/api/v1/projects/demo-project/members')).toBe('add a member to project demo-project, or change their role');
    expect(say('DELETE', '/api/v1/workspaces/ws/members/reviewer')).toBe('remove reviewer from workspace ws');
  });

  it('names release operations and object changes', () => {
    expect(say('POST', '/api/v1/projects/p/releases/canary-release/takeover')).toBe('takeover release canary-release');
    expect(say('POST', '/api/v1/projects/p/releases')).toBe('create releases');
    expect(say('DELETE', '/api/v1/projects/p/deployments/reviews-v1')).toBe('delete deployments reviews-v1');
    expect(say('POST', '/api/v1/apply', 'Deployment/p/a')).toBe('apply Deployment/p/a');
  });

  it('falls back to the method and path for requests it does not know', () => {
    expect(say('PUT', '/api/v1/something/else')).toBe('PUT /api/v1/something/else');
  });
});
