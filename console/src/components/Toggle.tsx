/** An on/off switch: a real button with role="switch", so Space and Enter flip it. */

interface Props {
  checked: boolean;
  onChange: (v: boolean) => void;
  label: string;
  disabled?: boolean;
  testId?: string;
}

export function Toggle({ checked, onChange, label, disabled, testId }: Props) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      className={`toggle${checked ? ' toggle-on' : ''}`}
      onClick={() => onChange(!checked)}
      data-testid={testId}
    >
      <span className="toggle-knob" aria-hidden="true" />
    </button>
  );
}
