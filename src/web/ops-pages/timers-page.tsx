import type { PendingTimer } from '../../platform/processing/timers.ts';
import { OpsLayout } from './layout.tsx';

/** Pending durable timers, earliest first; the ones already due are marked (DOMAIN 7). */
export function TimersPage({ csrf, timers, now, more }: { csrf: string; timers: PendingTimer[]; now: string; more: boolean }) {
  const due = timers.filter((timer) => timer.dueAt <= now).length;
  return (
    <OpsLayout title="Timers" csrf={csrf}>
      <h1>Timers</h1>
      <p>
        {timers.length === 0 ? 'No pending timers.' : `${timers.length}${more ? '+' : ''} pending, ${due}${more && due === timers.length ? '+' : ''} due`} (at {now}).
      </p>
      {timers.length > 0 && (
        <table class="timers">
          <thead>
            <tr>
              <th>Due at</th>
              <th>Command</th>
              <th>Target</th>
              <th>Timer id</th>
            </tr>
          </thead>
          <tbody>
            {timers.map((timer) => {
              const isDue = timer.dueAt <= now;
              return (
                <tr key={timer.id} class={isDue ? 'due' : undefined}>
                  <td>
                    {timer.dueAt}
                    {isDue && <strong class="due-mark"> due</strong>}
                  </td>
                  <td>{timer.type}</td>
                  <td>{timer.targetId}</td>
                  <td>{timer.id}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {more && <p>Only the earliest {timers.length} are shown.</p>}
    </OpsLayout>
  );
}
