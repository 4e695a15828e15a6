/**
 * "Deploy Sample Application", as KubeSphere's wizard: Basic Information →
 * Service Settings → Internet Access, everything pre-filled, then Create.
 */
import { useState } from 'react';
import { describeError, post } from '../../api/client';
import { paths } from '../../api/endpoints';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';

const STEPS = ['Basic Information', 'Service Settings', 'Internet Access'];
const COMPONENTS = [
  { name: 'productpage', text: 'The book page: calls details and reviews to fill it.' },
  { name: 'details', text: 'Book information.' },
  { name: 'reviews', text: 'Book reviews; calls ratings. Version v1 shows no stars.' },
  { name: 'ratings', text: 'Book rankings shown beside a review.' },
];

interface Props {
  project: string;
  gatewayPort?: string;
  open: boolean;
  onClose: () => void;
  onCreated: () => void;
}

export function DeploySampleWizard({ project, gatewayPort, open, onClose, onCreated }: Props) {
  const [step, setStep] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const handleClose = (): void => {
    setStep(0);
    setError('');
    onClose();
  };
  const handleCreate = async (): Promise<void> => {
    setBusy(true);
    setError('');
    try {
      await post(paths.sample(project, 'bookinfo'), {});
      setStep(0);
      onCreated();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const last = step === STEPS.length - 1;
  return (
    <Modal
      title="Deploy Sample Application"
      open={open}
      onClose={handleClose}
      wide
      testId="sample-wizard"
      footer={
        <>
          {step > 0 ? <Button onClick={() => setStep(step - 1)}>Previous</Button> : <Button onClick={handleClose}>Cancel</Button>}
          {last ? (
            <Button variant="primary" onClick={handleCreate} disabled={busy} data-testid="wizard-create">
              {busy ? 'Creating…' : 'Create'}
            </Button>
          ) : (
            <Button variant="primary" onClick={() => setStep(step + 1)} data-testid="wizard-next">
              Next
            </Button>
          )}
        </>
      }
    >
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s} className={i === step ? 'is-current' : i < step ? 'is-done' : ''} aria-current={i === step ? 'step' : undefined}>
            <span className="steps-num">{i + 1}</span>
            {s}
          </li>
        ))}
      </ol>
      {step === 0 ? (
        <dl className="kv">
          <dt>Name</dt>
          <dd>bookinfo</dd>
          <dt>Version</dt>
          <dd>v1</dd>
          <dt>Description</dt>
          <dd>Bookinfo, Istio's sample: four microservices that together show a book page.</dd>
          <dt>Application Governance</dt>
          <dd>On: traffic of the app is traced and shown in the topology.</dd>
        </dl>
      ) : null}
      {step === 1 ? (
        <ul className="component-list">
          {COMPONENTS.map((c) => (
            <li key={c.name}>
              <strong>{c.name}</strong>
              <span className="muted"> · kubesphere/examples-bookinfo-{c.name}-v1:1.13.0 · port 9080</span>
              <p>{c.text}</p>
            </li>
          ))}
        </ul>
      ) : null}
      {step === 2 ? (
        <div>
          <p>The gateway routes requests for this hostname to productpage:</p>
          <dl className="kv">
            <dt>Hostname</dt>
            <dd>
              <code>productpage.{project}.localhost</code>
            </dd>
            <dt>Path</dt>
            <dd>
              <code>/productpage</code>
            </dd>
            {gatewayPort ? (
              <>
                <dt>Gateway port</dt>
                <dd>{gatewayPort}</dd>
              </>
            ) : null}
          </dl>
          <p className="hint">Names under .localhost reach this machine in every modern browser: no hosts-file entry is needed.</p>
        </div>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}
