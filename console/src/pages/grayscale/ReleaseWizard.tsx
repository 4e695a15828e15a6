/**
 * Create a grayscale release job, KubeSphere's wizard: Basic Information →
 * Service Settings → New Version Settings → Policy Config, then Create
 * (POST /api/v1/projects/:p/releases with a Release object).
 */
import { useMemo, useState } from 'react';
import { describeError, post } from '../../api/client';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { Deployment, List, Release, ReleaseType, Service } from '../../api/types';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';
import { buildRelease, emptyForm, principalOf, proposeImage, stepErrors, type ReleaseForm } from '../../lib/release-math';
import { modeTitle } from './modes';
import { StrategyStep } from './StrategyStep';

const STEPS = ['Basic Information', 'Service Settings', 'New Version Settings', 'Policy Config'];

interface Props {
  project: string;
  type: ReleaseType;
  onClose: () => void;
  onCreated: (name: string) => void;
}

export function ReleaseWizard({ project, type, onClose, onCreated }: Props) {
  const [form, setForm] = useState<ReleaseForm>(() => ({ ...emptyForm(type), name: `${type === 'bluegreen' ? 'blue-green' : type}-release` }));
  const [step, setStep] = useState(0);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const services = useApi<List<Service>>(paths.list(project, 'services'));
  const deployments = useApi<List<Deployment>>(paths.list(project, 'deployments'));

  const versionsOf = useMemo(() => {
    const m = new Map<string, Deployment[]>();
    for (const d of deployments.data?.items ?? []) {
      const app = d.metadata.labels?.app;
      if (app) (m.get(app) ?? m.set(app, []).get(app)!).push(d);
    }
    return m;
  }, [deployments.data]);

  const handlePickService = (service: string): void => {
    const deps = versionsOf.get(service) ?? [];
    const versions = deps.map((d) => d.metadata.labels?.version ?? '').filter(Boolean);
    const { principal } = principalOf(versions, '');
    const p = principal ?? versions.sort()[0] ?? '';
    setForm({ ...form, service, principal: p, version: '', image: '' });
  };
  const handlePrincipal = (principal: string): void => setForm({ ...form, principal });
  const imageOf = (service: string, version: string): string =>
    (versionsOf.get(service) ?? []).find((d) => d.metadata.labels?.version === version)?.spec?.template?.spec?.containers?.[0]?.image ?? '';
  const handleVersion = (version: string): void => {
    const base = imageOf(form.service, form.principal);
    const previous = proposeImage(base, form.principal, form.version);
    // Keep proposing the image until the user types their own.
    const image = !form.image || form.image === previous || form.image === base ? proposeImage(base, form.principal, version) : form.image;
    setForm({ ...form, version, image });
  };

  const handleNext = (): void => {
    const errs = stepErrors(form, step);
    setErrors(errs);
    if (errs.length === 0) setStep(step + 1);
  };
  const handleCreate = async (): Promise<void> => {
    const errs = stepErrors(form, 3);
    setErrors(errs);
    if (errs.length > 0) return;
    setBusy(true);
    try {
      const r = await post<Release>(paths.releases(project), buildRelease(form));
      onCreated(r.metadata.name);
    } catch (err) {
      setErrors([describeError(err)]);
    } finally {
      setBusy(false);
    }
  };

  const svcList = (services.data?.items ?? []).map((s) => s.metadata.labels?.app ?? s.metadata.name);
  const last = step === STEPS.length - 1;
  const principalVersions = (versionsOf.get(form.service) ?? []).map((d) => d.metadata.labels?.version ?? '').filter(Boolean).sort();
  return (
    <Modal
      title={`Create ${modeTitle(type)} Job`}
      open
      onClose={onClose}
      wide
      testId="release-wizard"
      footer={
        <>
          {step > 0 ? (
            <Button onClick={() => (setErrors([]), setStep(step - 1))} disabled={busy}>
              Previous
            </Button>
          ) : (
            <Button onClick={onClose}>Cancel</Button>
          )}
          {last ? (
            <Button variant="primary" onClick={handleCreate} disabled={busy} data-testid="wizard-create">
              {busy ? `Creating… waiting for ${form.version} to be ready` : 'Create'}
            </Button>
          ) : (
            <Button variant="primary" onClick={handleNext} data-testid="wizard-next">
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
        <div className="form">
          <label className="field">
            <span>Name</span>
            <input autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value.trim() })} data-testid="release-name" />
            <small>Lowercase letters, digits and hyphens, e.g. canary-release.</small>
          </label>
        </div>
      ) : null}
      {step === 1 ? (
        <fieldset className="radio-cards">
          <legend>Choose the service to release a new version of</legend>
          {svcList.length === 0 ? <p className="muted">This project has no services yet. Deploy an application first.</p> : null}
          {svcList.map((s) => {
            const vs = (versionsOf.get(s) ?? []).map((d) => d.metadata.labels?.version).filter(Boolean);
            return (
              <label key={s} className={`radio-card${form.service === s ? ' is-checked' : ''}`}>
                <input type="radio" name="service" checked={form.service === s} onChange={() => handlePickService(s)} data-testid={`release-service-${s}`} />
                <span>
                  <strong>{s}</strong>
                  <small>{vs.length > 0 ? `Versions: ${vs.join(', ')}` : 'No workload'}</small>
                </span>
              </label>
            );
          })}
          {form.service && principalVersions.length > 1 ? (
            <label className="field">
              <span>Version serving now</span>
              <select value={form.principal} onChange={(e) => handlePrincipal(e.target.value)}>
                {principalVersions.map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            </label>
          ) : null}
        </fieldset>
      ) : null}
      {step === 2 ? (
        <div className="form">
          <p className="muted">
            The new version runs beside {form.service} {form.principal}, as workload <code>{form.service}-{form.version || '…'}</code>; everything but the image and
            replicas is copied from {form.principal}.
          </p>
          <label className="field">
            <span>Grayscale Release Version Number</span>
            <input autoFocus value={form.version} placeholder="v2" onChange={(e) => handleVersion(e.target.value.trim())} data-testid="release-version" />
          </label>
          <label className="field">
            <span>Image</span>
            <input value={form.image} onChange={(e) => setForm({ ...form, image: e.target.value })} data-testid="release-image" spellCheck={false} />
          </label>
          <label className="field">
            <span>Replicas</span>
            <input type="number" min={1} max={20} value={form.replicas} onChange={(e) => setForm({ ...form, replicas: Number(e.target.value) })} data-testid="release-replicas" />
          </label>
        </div>
      ) : null}
      {step === 3 ? <StrategyStep form={form} onChange={setForm} /> : null}
      {errors.length > 0 ? (
        <ul className="form-error" role="alert" data-testid="wizard-errors">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      ) : null}
    </Modal>
  );
}
