import { href, type Route } from '../../router.ts';
import { useSession } from '../../session.tsx';
import { CalendarsAdmin } from './CalendarsAdmin.tsx';
import { ChannelsAdmin } from './ChannelsAdmin.tsx';
import { CommandsAdmin } from './CommandsAdmin.tsx';
import { PackagesAdmin } from './PackagesAdmin.tsx';
import { UsersAdmin } from './UsersAdmin.tsx';

const TABS = [
  { id: 'commands', label: 'Command catalog' },
  { id: 'packages', label: 'Packages' },
  { id: 'users', label: 'Users and tokens' },
  { id: 'channels', label: 'Channels' },
  { id: 'calendars', label: 'Calendars' },
];

export function AdminPage({ route }: { route: Route }) {
  const { canAdmin } = useSession();
  const tab = route.query.get('tab') ?? 'commands';
  return (
    <div className="page">
      <div className="page-head">
        <h1>Administration</h1>
      </div>
      {canAdmin ? null : <p className="muted">You can read the catalog; changing it needs the org-admin role.</p>}
      <nav className="tabs" aria-label="Administration views">
        {TABS.map((t) => (
          <a key={t.id} href={href('/admin', { tab: t.id })} aria-current={tab === t.id ? 'page' : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      {tab === 'packages' ? (
        <PackagesAdmin />
      ) : tab === 'users' ? (
        <UsersAdmin />
      ) : tab === 'channels' ? (
        <ChannelsAdmin />
      ) : tab === 'calendars' ? (
        <CalendarsAdmin />
      ) : (
        <CommandsAdmin />
      )}
    </div>
  );
}
