/** The console shell: the session, the top bar, the project sidebar and the page of the current route. */
import { useEffect, useState } from 'react';
import { clearSession, getToken, getUser, onUnauthorized, post } from './api/client';
import { paths } from './api/endpoints';
import { MeProvider } from './api/use-me';
import { Shell } from './components/Shell';
import { routePath, withQuery } from './lib/routes';
import { ApplicationDetailPage } from './pages/applications/ApplicationDetailPage';
import { ApplicationsPage } from './pages/applications/ApplicationsPage';
import { AuditPage } from './pages/AuditPage';
import { LoginPage } from './pages/LoginPage';
import { ProjectMembersPage } from './pages/members/ProjectMembersPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { AccountsPage } from './pages/platform/AccountsPage';
import { ProjectsPage } from './pages/ProjectsPage';
import { ReleaseDetailPage } from './pages/grayscale/ReleaseDetailPage';
import { GrayscalePage } from './pages/grayscale/GrayscalePage';
import { SettingsPage } from './pages/SettingsPage';
import { TopologyPage } from './pages/topology/TopologyPage';
import { TraceDetailPage } from './pages/tracing/TraceDetailPage';
import { TracingPage } from './pages/tracing/TracingPage';
import { WorkloadDetailPage } from './pages/workloads/WorkloadDetailPage';
import { WorkloadsPage } from './pages/workloads/WorkloadsPage';
import { WorkspacePage } from './pages/workspaces/WorkspacePage';
import { WorkspacesPage } from './pages/workspaces/WorkspacesPage';
import { useRouter } from './router/router';

export function App() {
  const { route, location, navigate } = useRouter();
  const [session, setSession] = useState(() => ({ token: getToken(), user: getUser() }));

  useEffect(
    () =>
      onUnauthorized(() => {
        clearSession();
        setSession({ token: '', user: '' });
      }),
    [],
  );

  useEffect(() => {
    if (!session.token && route.page !== 'login') {
      navigate(withQuery('/login', { next: location.pathname + location.search }), { replace: true });
    }
  }, [session.token, route.page, location, navigate]);

  const handleLogin = (token: string, user: string, next: string): void => {
    setSession({ token, user });
    navigate(next || routePath({ page: 'projects' }), { replace: true });
  };
  const handleLogout = (): void => {
    post(paths.logout).catch(() => undefined);
    clearSession();
    setSession({ token: '', user: '' });
    navigate('/login');
  };

  if (route.page === 'login' || !session.token) return <LoginPage onLogin={handleLogin} />;
  return (
    // Keyed by the token: the next user's session starts with nothing of the last one's.
    <MeProvider key={session.token}>
      <Shell route={route} user={session.user} onLogout={handleLogout}>
        {(() => {
          switch (route.page) {
            case 'projects':
              return <ProjectsPage />;
            case 'applications':
              return <ApplicationsPage project={route.project} />;
            case 'application':
              return <ApplicationDetailPage project={route.project} name={route.name} />;
            case 'workloads':
              return <WorkloadsPage project={route.project} />;
            case 'workload':
              return <WorkloadDetailPage project={route.project} name={route.name} />;
            case 'grayscale':
              return <GrayscalePage project={route.project} />;
            case 'release':
              return <ReleaseDetailPage project={route.project} name={route.name} />;
            case 'topology':
              return <TopologyPage project={route.project} />;
            case 'tracing':
              return <TracingPage project={route.project} />;
            case 'trace':
              return <TraceDetailPage project={route.project} traceId={route.traceId} />;
            case 'settings':
              return <SettingsPage project={route.project} />;
            case 'members':
              return <ProjectMembersPage project={route.project} />;
            case 'audit':
              return <AuditPage project={route.project} />;
            case 'workspaces':
              return <WorkspacesPage />;
            case 'workspace':
              return <WorkspacePage workspace={route.workspace} />;
            case 'accounts':
              return <AccountsPage />;
            default:
              return <NotFoundPage />;
          }
        })()}
      </Shell>
    </MeProvider>
  );
}
