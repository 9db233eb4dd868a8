import type { SwitchName, SwitchState } from '../../platform/maintenance/switches.ts';
import type { RunState } from '../../platform/processing/pause-switch.ts';
import { CsrfField } from '../pages/forms.tsx';
import { OpsLayout } from './layout.tsx';

/** The maintenance page's address (API.md Page routes). */
export const MAINTENANCE_PAGE_PATH = '/ops/maintenance';

/** What each switch closes (DOMAIN 7.4), in the order shown. */
const SWITCHES: ReadonlyArray<{ name: SwitchName; label: string; effect: string }> = [
  { name: 'public', label: 'Public site', effect: 'Every page and API request of the public site answers 503 with the maintenance page.' },
  { name: 'management', label: 'Management site', effect: 'Every page and API request of the management site answers 503 with the maintenance page.' },
  {
    name: 'processing',
    label: 'Processing',
    effect: 'Handlers, timers and e-mails finish what they hold, then take nothing new; the sites keep accepting commands, processed on resume.',
  },
];

interface MaintenancePageProps {
  csrf: string;
  state: SwitchState;
  /** This process's handlers, when it runs them. */
  processing: RunState | undefined;
}

/** The three maintenance switches, each with a form that turns it the other way. */
export function MaintenanceSwitchesPage({ csrf, state, processing }: MaintenancePageProps) {
  return (
    <OpsLayout title="Maintenance" csrf={csrf}>
      <h1>Maintenance</h1>
      <p>Operator pages and API, health checks and metrics stay up whatever the switches say.</p>
      <table>
        <thead>
          <tr>
            <th>Part</th>
            <th>State</th>
            <th>In maintenance</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {SWITCHES.map(({ name, label, effect }) => (
            <tr key={name} id={`switch-${name}`}>
              <td>{label}</td>
              <td class="switch-state">{state[name] ? 'in maintenance' : 'running'}</td>
              <td>
                <small>{effect}</small>
              </td>
              <td>
                <form method="post" action={MAINTENANCE_PAGE_PATH} class="inline">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="switch" value={name} />
                  <input type="hidden" name="enabled" value={state[name] ? 'off' : 'on'} />
                  <button type="submit" class="button">
                    {state[name] ? 'End maintenance' : 'Start maintenance'}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {processing && (
        <p>
          Handlers in this process: <strong class="processing-status">{processing}</strong>
        </p>
      )}
    </OpsLayout>
  );
}
