/** Tabs whose selection lives in the URL (?tab=...), so a tab can be bookmarked; arrow keys move between them. */
import type { KeyboardEvent } from 'react';

interface Props {
  tabs: { id: string; label: string }[];
  selected: string;
  onSelect: (id: string) => void;
}

export function Tabs({ tabs, selected, onSelect }: Props) {
  const handleKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const i = tabs.findIndex((t) => t.id === selected);
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    const next = tabs[(i + d + tabs.length) % tabs.length];
    if (!next) return;
    e.preventDefault();
    onSelect(next.id);
    (e.currentTarget.querySelector(`[data-tab="${next.id}"]`) as HTMLElement | null)?.focus();
  };
  return (
    <div className="tabs" role="tablist" onKeyDown={handleKeyDown}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          data-tab={t.id}
          data-testid={`tab-${t.id}`}
          aria-selected={t.id === selected}
          tabIndex={t.id === selected ? 0 : -1}
          className={`tab${t.id === selected ? ' tab-selected' : ''}`}
          onClick={() => onSelect(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
