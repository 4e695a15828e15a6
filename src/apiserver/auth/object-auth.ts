/** Accounts and the audit log as graymesh objects in an object store (the Kubernetes engine's: kept in the cluster). */
import type { ObjectStore } from '../../engine/store.js';
import type { AuthBackend } from './account-store.js';
import { ObjectAccounts } from './object-accounts.js';
import { ObjectAudit } from './object-audit.js';

/** Resolves once every account object and audit entry already in the store is read. */
export async function objectAuth(store: ObjectStore, log: (msg: string) => void): Promise<AuthBackend> {
  const accounts = new ObjectAccounts(store);
  const audit = new ObjectAudit(store, log);
  await Promise.all([accounts.start(), audit.start()]);
  return {
    accounts,
    audit,
    async close() {
      await Promise.all([accounts.close(), audit.close()]);
    },
  };
}
