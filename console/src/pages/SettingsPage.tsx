/** Project Settings › Advanced Settings: the gateway and the Application Governance switch, and the outbound traffic policy. */
import { useState } from 'react';
import { describeError, patch } from '../api/client';
import { paths } from '../api/endpoints';
import { useApi } from '../api/use-api';
import { GOVERNANCE_ANNOTATION, type InstanceStatus, type Namespace } from '../api/types';
import { SettingsIcon } from '../components/Icons';
import { PageHeader } from '../components/PageHeader';
import { ErrorBanner, Loading } from '../components/States';
import { FormResult } from '../components/FormResult';
import { Toggle } from '../components/Toggle';
import { OutboundPolicyCard } from './OutboundPolicyCard';

export function SettingsPage({ project }: { project: string }) {
  const ns = useApi<Namespace>(paths.project(project));
  const status = useApi<InstanceStatus>(paths.status);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');

  const handleGovernance = async (on: boolean): Promise<void> => {
    setBusy(true);
    setError('');
    setSaved('');
    try {
      await patch(paths.project(project), { governance: on });
      ns.reload();
      setSaved(on ? 'Application Governance is on: requests entering the project are traced.' : 'Application Governance is off: the gateway starts no new traces.');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (ns.error) return <ErrorBanner error={ns.error} onRetry={ns.reload} />;
  if (!ns.data) return <Loading />;
  const on = ns.data.metadata.annotations?.[GOVERNANCE_ANNOTATION] !== 'false';
  return (
    <div className="page">
      <PageHeader icon={<SettingsIcon />} title="Advanced Settings" description="Settings of the project's gateway: where traffic enters the project, and whether it is governed (traced and shown in the topology); and which hosts outside the mesh its workloads may call." />
      <section className="card" aria-label="Gateway">
        <h2 className="card-title">Gateway</h2>
        <dl className="kv">
          <dt>Gateway address</dt>
          <dd>
            <code data-testid="gateway-url">{status.data?.gateway.url ?? '–'}</code>
          </dd>
          {status.data?.gateway.tlsUrl ? (
            <>
              <dt>TLS address</dt>
              <dd>
                <code data-testid="gateway-tls-url">{status.data.gateway.tlsUrl}</code> (a Gateway server's port 443, with a Secret as its credentialName)
              </dd>
            </>
          ) : null}
          <dt>Access method</dt>
          <dd>
            By hostname: <code>{'<service>'}.{project}.localhost</code> on the gateway port
          </dd>
        </dl>
        <div className="setting-row">
          <div>
            <div className="setting-title" id="governance-label">
              Application Governance
            </div>
            <p className="muted">
              When on, the gateway starts a trace for every request entering the project, so you can follow it in Tracing. Traces already begun continue either
              way.
            </p>
          </div>
          <Toggle checked={on} onChange={handleGovernance} label="Application Governance" disabled={busy} testId="governance-toggle" />
        </div>
        <FormResult saved={saved} error={error} />
      </section>
      <OutboundPolicyCard project={project} ns={ns.data} onSaved={ns.reload} />
    </div>
  );
}
