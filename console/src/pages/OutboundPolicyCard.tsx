/**
 * Project Settings › Advanced Settings › Outbound Traffic: the project's outbound traffic policy,
 * as Istio's meshConfig.outboundTrafficPolicy — ALLOW_ANY lets its workloads reach any host,
 * REGISTRY_ONLY only hosts the mesh or a ServiceEntry declares (others are refused with 403).
 */
import { useState } from 'react';
import { describeError, patch } from '../api/client';
import { paths } from '../api/endpoints';
import { OUTBOUND_POLICY_ANNOTATION, type Namespace } from '../api/types';
import { FormResult } from '../components/FormResult';

type Mode = 'ALLOW_ANY' | 'REGISTRY_ONLY';

const SAVED: Record<Mode, string> = {
  ALLOW_ANY: 'Outbound traffic policy is ALLOW_ANY: workloads reach any host.',
  REGISTRY_ONLY: 'Outbound traffic policy is REGISTRY_ONLY: workloads reach only hosts the mesh or a ServiceEntry declares.',
};

export function OutboundPolicyCard({ project, ns, onSaved }: { project: string; ns: Namespace; onSaved: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const mode: Mode = ns.metadata.annotations?.[OUTBOUND_POLICY_ANNOTATION] === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY';

  const change = async (next: Mode): Promise<void> => {
    setBusy(true);
    setError('');
    setSaved('');
    try {
      await patch(paths.project(project), { outboundPolicy: next });
      onSaved();
      setSaved(SAVED[next]);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-label="Outbound Traffic">
      <h2 className="card-title">Outbound Traffic</h2>
      <div className="setting-row">
        <div>
          <label className="setting-title" htmlFor="outbound-policy">
            Outbound Traffic Policy
          </label>
          <p className="muted">
            What the project&apos;s workloads may call outside the mesh (http:// and, through HTTPS_PROXY, https://). ALLOW_ANY passes any host through;
            REGISTRY_ONLY allows only hosts a ServiceEntry declares and refuses the others with 403, each refusal in the proxy&apos;s access log.
          </p>
        </div>
        <select id="outbound-policy" value={mode} disabled={busy} onChange={(e) => void change(e.target.value as Mode)} data-testid="outbound-policy">
          <option value="ALLOW_ANY">ALLOW_ANY</option>
          <option value="REGISTRY_ONLY">REGISTRY_ONLY</option>
        </select>
      </div>
      <FormResult saved={saved} error={error} savedTestId="outbound-policy-saved" />
    </section>
  );
}
