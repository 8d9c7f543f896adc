import { EventsProvider } from './lib/events.tsx';
import { AdminPage } from './pages/admin/AdminPage.tsx';
import { AgentsPage } from './pages/agents/AgentsPage.tsx';
import { MonitoringPage } from './pages/monitoring/MonitoringPage.tsx';
import { ReportsPage } from './pages/reports/ReportsPage.tsx';
import { RunDetailPage } from './pages/runs/RunDetailPage.tsx';
import { RunsPage } from './pages/runs/RunsPage.tsx';
import { TaskPage } from './pages/tasks/TaskPage.tsx';
import { TasksPage } from './pages/tasks/TasksPage.tsx';
import { type Route, useRoute } from './router.ts';
import { useSession } from './session.tsx';

const SECTIONS = [
  { path: '/', label: 'Monitoring' },
  { path: '/tasks', label: 'Tasks' },
  { path: '/runs', label: 'Runs' },
  { path: '/agents', label: 'Agents' },
  { path: '/reports', label: 'Reports' },
  { path: '/admin', label: 'Admin' },
];

function page(route: Route) {
  const [section, id] = route.parts;
  switch (section) {
    case undefined:
      return <MonitoringPage route={route} />;
    case 'tasks':
      return id ? <TaskPage key={id} id={id} route={route} /> : <TasksPage />;
    case 'runs':
      return id ? <RunDetailPage key={id} id={id} /> : <RunsPage route={route} />;
    case 'agents':
      return <AgentsPage route={route} />;
    case 'reports':
      return <ReportsPage route={route} />;
    case 'admin':
      return <AdminPage route={route} />;
    default:
      return (
        <p>
          No such page. Go back to <a href="#/">monitoring</a>.
        </p>
      );
  }
}

export function Layout() {
  const route = useRoute();
  const { me, logout } = useSession();
  const current = `/${route.parts[0] ?? ''}`;
  return (
    <EventsProvider>
      <div className="app">
        <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
          Skip to content
        </button>
        <header className="topbar">
          <a className="brand" href="#/">
            <span className="brand-mark" aria-hidden="true">
              ✓
            </span>{' '}
            Taskwarden
          </a>
          <nav aria-label="Sections">
            <ul className="nav-list">
              {SECTIONS.map((s) => (
                <li key={s.path}>
                  <a className="nav-link" href={`#${s.path}`} aria-current={current === s.path ? 'page' : undefined}>
                    {s.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div className="whoami">
            <span title={`role: ${me.role}`}>
              {me.name} <span className="role">{me.role}</span>
            </span>
            <button type="button" onClick={logout}>
              Sign out
            </button>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {page(route)}
        </main>
      </div>
    </EventsProvider>
  );
}
