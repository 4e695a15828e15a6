/** The frame of every page after login: the top bar, and inside a project the sidebar (KubeSphere's project navigation). */
import type { ReactNode } from 'react';
import { useApi } from '../api/use-api';
import { useMe } from '../api/use-me';
import { paths } from '../api/endpoints';
import { WORKSPACE_LABEL, type List, type Namespace } from '../api/types';
import { administersProject, isPlatformAdmin, showsWorkspaces } from '../lib/access';
import { routePath, sectionOf, type Route } from '../lib/routes';
import { Link, useRouter } from '../router/router';
import { AppIcon, AuditIcon, Logo, MembersIcon, ProjectIcon, ReleaseIcon, SettingsIcon, TopologyIcon, TracingIcon, WorkloadIcon, WorkspaceIcon } from './Icons';

interface NavItem {
  section: string;
  label: string;
  icon: ReactNode;
  /** Shown only to the project's admins (the API refuses everyone else anyway). */
  adminOnly?: boolean;
}

const NAV: { group?: string; items: NavItem[] }[] = [
  {
    group: 'Application Workloads',
    items: [
      { section: 'applications', label: 'Applications', icon: <AppIcon /> },
      { section: 'workloads', label: 'Workloads', icon: <WorkloadIcon /> },
    ],
  },
  { items: [{ section: 'grayscale', label: 'Grayscale Release', icon: <ReleaseIcon /> }] },
  {
    group: 'Traffic Management',
    items: [
      { section: 'topology', label: 'Topology', icon: <TopologyIcon /> },
      { section: 'tracing', label: 'Tracing', icon: <TracingIcon /> },
    ],
  },
  {
    group: 'Project Settings',
    items: [
      { section: 'members', label: 'Project Members', icon: <MembersIcon /> },
      { section: 'settings', label: 'Advanced Settings', icon: <SettingsIcon /> },
      { section: 'audit', label: 'Audit Log', icon: <AuditIcon />, adminOnly: true },
    ],
  },
];

export function Shell({ route, user, onLogout, children }: { route: Route; user: string; onLogout: () => void; children: ReactNode }) {
  const project = 'project' in route ? route.project : undefined;
  const me = useMe();
  return (
    <div className={`shell${project ? ' shell-project' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/projects" className="topbar-brand" aria-label="graymesh: projects">
          <Logo />
          <span>graymesh</span>
        </Link>
        <nav className="topbar-nav" aria-label="Platform">
          <Link to="/projects" className="topbar-link" aria-current={route.page === 'projects' ? 'page' : undefined}>
            Projects
          </Link>
          {showsWorkspaces(me) ? (
            <Link to={routePath({ page: 'workspaces' })} className="topbar-link" aria-current={route.page === 'workspaces' || route.page === 'workspace' ? 'page' : undefined} data-testid="nav-workspaces">
              Workspaces
            </Link>
          ) : null}
          {isPlatformAdmin(me) ? (
            <Link to={routePath({ page: 'accounts' })} className="topbar-link" aria-current={route.page === 'accounts' ? 'page' : undefined} data-testid="nav-accounts">
              Platform › Accounts
            </Link>
          ) : null}
        </nav>
        <div className="topbar-user">
          {user ? <span className="topbar-username" data-testid="current-user">{user}</span> : null}
          <button type="button" className="topbar-logout" onClick={onLogout} data-testid="logout">
            Log out
          </button>
        </div>
      </header>
      {project ? <Sidebar project={project} section={sectionOf(route) ?? ''} /> : null}
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

function Sidebar({ project, section }: { project: string; section: string }) {
  const { navigate } = useRouter();
  const me = useMe();
  const projects = useApi<List<Namespace>>(paths.projects);
  const names = (projects.data?.items ?? []).map((p) => p.metadata.name);
  if (!names.includes(project)) names.unshift(project);
  const workspace = projects.data?.items.find((p) => p.metadata.name === project)?.metadata.labels?.[WORKSPACE_LABEL];
  const isAdmin = administersProject(me, project, workspace);
  return (
    <aside className="sidebar" aria-label="Project">
      <div className="sidebar-project">
        <span className="sidebar-project-icon" aria-hidden="true">
          <ProjectIcon />
        </span>
        <label className="sidebar-project-label">
          <span>Project</span>
          <select
            value={project}
            data-testid="project-switcher"
            onChange={(e) => navigate(routePath({ page: (section || 'applications') as 'applications', project: e.target.value }))}
          >
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      {workspace && me?.workspaces.includes(workspace) ? (
        <Link to={routePath({ page: 'workspace', workspace })} className="sidebar-workspace" data-testid="sidebar-workspace">
          <WorkspaceIcon />
          Workspace: {workspace}
        </Link>
      ) : null}
      <nav>
        {NAV.map((g, i) => (
          <div key={i} className="sidebar-group">
            {g.group ? <div className="sidebar-group-title">{g.group}</div> : null}
            <ul>
              {g.items
                .filter((it) => isAdmin || !it.adminOnly)
                .map((it) => (
                  <li key={it.section}>
                    <Link
                      to={routePath({ page: it.section as 'applications', project })}
                      className={`sidebar-link${section === it.section ? ' is-active' : ''}`}
                      aria-current={section === it.section ? 'page' : undefined}
                      data-testid={`nav-${it.section}`}
                    >
                      {it.icon}
                      {it.label}
                    </Link>
                  </li>
                ))}
            </ul>
          </div>
        ))}
      </nav>
    </aside>
  );
}
