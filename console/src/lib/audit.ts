/** The audit log in words: what a recorded request did ("add a member to demo-project"), from its method and path. */
import type { AuditEntry } from '../api/types';

const d = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** What a write request did, in words; the method and path when it is not one the console knows. */
export function describeAuditAction(e: Pick<AuditEntry, 'method' | 'path' | 'objects'>): string {
  const parts = e.path.split('/').filter(Boolean).map(d);
  const [api, v1, kind, a, sub, b, op] = parts;
  const m = e.method;
  if (api === 'api' && v1 === 'v1') {
    if (kind === 'login' && parts.length === 3) return 'log in';
    if (kind === 'logout' && parts.length === 3) return 'log out';
    if ((kind === 'apply' || kind === 'delete') && parts.length === 3) return `${kind} ${e.objects ?? 'manifests'}`;
    if (kind === 'projects' || kind === 'workspaces') {
      const scope = kind === 'projects' ? 'project' : 'workspace';
      if (a === undefined) return m === 'POST' ? `create a ${scope}` : `${m} ${e.path}`;
      if (sub === undefined) return m === 'PATCH' ? `change the settings of ${scope} ${a}` : m === 'DELETE' ? `delete ${scope} ${a}` : `${m} ${e.path}`;
      if (sub === 'members') {
        if (b === undefined && m === 'POST') return `add a member to ${scope} ${a}, or change their role`;
        if (b !== undefined && m === 'DELETE') return `remove ${b} from ${scope} ${a}`;
      }
      if (sub === 'releases' && b !== undefined && op !== undefined && m === 'POST') return `${op} release ${b}`;
      if (sub === 'samples' && b !== undefined) return `deploy sample ${b}`;
      if (b === undefined && m === 'POST') return `create ${sub}`;
      if (b !== undefined && parts.length === 6) return `${m === 'DELETE' ? 'delete' : 'change'} ${sub} ${b}`;
    }
    if (kind === 'users') {
      if (a === undefined && m === 'POST') return 'create a user';
      if (a !== undefined && sub === undefined && m === 'DELETE') return `delete user ${a}`;
      if (a !== undefined && sub === 'password') return `change the password of ${a}`;
    }
    if (kind === 'tokens') return m === 'POST' ? 'create a token' : `revoke token ${a ?? ''}`.trim();
  }
  return `${m} ${e.path}`;
}
