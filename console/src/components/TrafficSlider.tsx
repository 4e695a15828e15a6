/**
 * The traffic-ratio slider between two versions, as in KubeSphere's canary
 * wizard: drag the handle, or focus it and use the arrow keys (±1%), Page
 * Up/Down (±10%), Home and End (WAI-ARIA slider pattern).
 */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { clampPercent, sliderKey } from '../lib/release-math';

interface Props {
  /** The old version (left) and the new one (right). */
  left: string;
  right: string;
  /** Share of the new version, %. */
  value: number;
  onChange: (v: number) => void;
  disabled?: boolean;
  testId?: string;
}

export function TrafficSlider({ left, right, value, onChange, disabled, testId }: Props) {
  const track = useRef<HTMLDivElement>(null);
  const fromPointer = (clientX: number): void => {
    const r = track.current?.getBoundingClientRect();
    if (!r || r.width === 0) return;
    // The handle marks where the old version's share ends: left of it is the old one's.
    onChange(clampPercent(100 - ((clientX - r.left) / r.width) * 100));
  };
  const handlePointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    if (disabled) return;
    (e.currentTarget as HTMLDivElement).setPointerCapture(e.pointerId);
    fromPointer(e.clientX);
  };
  const handlePointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    if (disabled || !(e.currentTarget as HTMLDivElement).hasPointerCapture(e.pointerId)) return;
    fromPointer(e.clientX);
  };
  const handleKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (disabled) return;
    // The handle's value is the left (old) version's share: Right moves it right, giving the old version more.
    const next = sliderKey(100 - value, e.key);
    if (next === undefined) return;
    e.preventDefault();
    onChange(100 - next);
  };
  const leftPct = 100 - value;
  return (
    <div className={`traffic-slider${disabled ? ' is-disabled' : ''}`}>
      <div className="traffic-slider-labels">
        <span>
          <strong>{left}</strong> {leftPct}%
        </span>
        <span>
          <strong>{right}</strong> {value}%
        </span>
      </div>
      <div ref={track} className="traffic-slider-track" onPointerDown={handlePointerDown} onPointerMove={handlePointerMove}>
        <div className="traffic-slider-old" style={{ width: `${leftPct}%` }} />
        <div className="traffic-slider-new" style={{ width: `${value}%` }} />
        <div
          className="traffic-slider-handle"
          style={{ left: `${leftPct}%` }}
          role="slider"
          tabIndex={disabled ? -1 : 0}
          aria-label={`Traffic to ${left}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={leftPct}
          aria-valuetext={`${left} ${leftPct}%, ${right} ${value}%`}
          aria-disabled={disabled}
          onKeyDown={handleKeyDown}
          data-testid={testId}
        >
          <span aria-hidden="true">⟷</span>
        </div>
      </div>
    </div>
  );
}
