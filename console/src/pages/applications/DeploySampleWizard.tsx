/**
 * "Deploy Sample Application", as KubeSphere's wizard: Basic Information
 * (which sample: Bookinfo or the gRPC Greeter) → Service Settings → Internet
 * Access, everything pre-filled, then Create.
 */
import { useState } from 'react';
import { describeError, post } from '../../api/client';
import { paths } from '../../api/endpoints';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';
import { SAMPLES, type SampleInfo } from '../../lib/samples';

const STEPS = ['Basic Information', 'Service Settings', 'Internet Access'];

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
  const [sample, setSample] = useState<SampleInfo>(SAMPLES[0] as SampleInfo);
  const handleClose = (): void => {
    setStep(0);
    setError('');
    onClose();
  };
  const handleCreate = async (): Promise<void> => {
    setBusy(true);
    setError('');
    try {
      await post(paths.sample(project, sample.name), {});
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
      {step === 0 ? <BasicInformation sample={sample} onPick={setSample} /> : null}
      {step === 1 ? <ServiceSettings sample={sample} /> : null}
      {step === 2 ? <InternetAccess sample={sample} project={project} {...(gatewayPort ? { gatewayPort } : {})} /> : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}

function BasicInformation({ sample, onPick }: { sample: SampleInfo; onPick: (s: SampleInfo) => void }) {
  return (
    <>
      <fieldset className="radio-cards">
        <legend>Choose the sample</legend>
        {SAMPLES.map((s) => (
          <label key={s.name} className={`radio-card${s.name === sample.name ? ' is-checked' : ''}`}>
            <input type="radio" name="sample" checked={s.name === sample.name} onChange={() => onPick(s)} data-testid={`sample-${s.name}`} />
            <span>
              <strong>{s.name}</strong>
              <small>{s.components.map((c) => c.name).join(', ')}</small>
            </span>
          </label>
        ))}
      </fieldset>
      <dl className="kv">
        <dt>Name</dt>
        <dd>{sample.name}</dd>
        <dt>Version</dt>
        <dd>{sample.version}</dd>
        <dt>Description</dt>
        <dd>{sample.description}</dd>
        <dt>Application Governance</dt>
        <dd>On: traffic of the app is traced and shown in the topology.</dd>
      </dl>
    </>
  );
}

function ServiceSettings({ sample }: { sample: SampleInfo }) {
  return (
    <ul className="component-list">
      {sample.components.map((c) => (
        <li key={c.name}>
          <strong>{c.name}</strong>
          <span className="muted">
            {' '}
            · {c.image} · port {c.port}
          </span>
          <p>{c.text}</p>
        </li>
      ))}
    </ul>
  );
}

function InternetAccess({ sample, project, gatewayPort }: { sample: SampleInfo; project: string; gatewayPort?: string }) {
  return (
    <div>
      <p>{sample.entry.reach}</p>
      <dl className="kv">
        <dt>Hostname</dt>
        <dd>
          <code>
            {sample.entry.service}.{project}.localhost
          </code>
        </dd>
        <dt>{sample.entry.label}</dt>
        <dd>
          <code>{sample.entry.value}</code>
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
  );
}
