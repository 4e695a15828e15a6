/** The banner at the top of a page: icon, title and a sentence on what the page is for (KubeSphere's page banner). */
import type { ReactNode } from 'react';

export function PageHeader({ title, description, icon, actions }: { title: string; description?: string; icon?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      {icon ? <div className="page-header-icon" aria-hidden="true">{icon}</div> : null}
      <div className="page-header-text">
        <h1>{title}</h1>
        {description ? <p>{description}</p> : null}
      </div>
      {actions ? <div className="page-header-actions">{actions}</div> : null}
    </div>
  );
}
