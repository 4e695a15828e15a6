/** The console shell: the session, the top bar, the project sidebar and the page of the current route. */
import { useEffect, useState } from 'react';
import { clearSession, getToken, getUser, onUnauthorized, post } from './api/client';
import { paths } from './api/endpoints';
import { Shell } from './components/Shell';
import { routePath, withQuery } from './lib/routes';
import { ApplicationDetailPage } from './pages/applications/ApplicationDetailPage';
import { ApplicationsPage } from './pages/applications/ApplicationsPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ProjectsPage } from './pages/ProjectsPage';
import { ReleaseDetailPage } from './pages/grayscale/ReleaseDetailPage';
import { GrayscalePage } from './pages/grayscale/GrayscalePage';
import { SettingsPage } from './pages/SettingsPage';
import { TopologyPage } from './pages/topology/TopologyPage';
import { TraceDetailPage } from './pages/tracing/TraceDetailPage';
import { TracingPage } from './pages/tracing/TracingPage';
import { WorkloadDetailPage } from './pages/workloads/WorkloadDetailPage';
import { WorkloadsPage } from './pages/workloads/WorkloadsPage';
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
          default:
            return <NotFoundPage />;
        }
      })()}
    </Shell>
  );
}
