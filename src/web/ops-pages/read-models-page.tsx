import type { ReadModelStatus } from '../../platform/read-models/versions.ts';
import { PostButton } from '../pages/forms.tsx';
import { OpsLayout } from './layout.tsx';

export const READ_MODELS_PAGE_PATH = '/ops/read-models';

/** Every version of every read model: status, position and lag, with rebuild, switch and retire (DOMAIN 7.2). */
export function ReadModelsPage({ csrf, versions, message }: { csrf: string; versions: ReadModelStatus[]; message?: string }) {
  return (
    <OpsLayout title="Read models" csrf={csrf}>
      <h1>Read models</h1>
      {message && <p class="notice">{message}</p>}
      <table class="read-models">
        <thead>
          <tr>
            <th>Read model</th>
            <th>Version</th>
            <th>Status</th>
            <th>Position</th>
            <th>Lag (entries)</th>
            <th>Lag (s)</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((entry) => (
            <tr key={`${entry.name}-${entry.version}`} class={entry.status}>
              <td>{entry.name}</td>
              <td>{entry.version}</td>
              <td>
                {entry.status}
                {entry.scratch && ' (scratch)'}
              </td>
              <td>{entry.position}</td>
              <td>{entry.lagMessages}</td>
              <td>{entry.lagSeconds.toFixed(1)}</td>
              <td>
                {entry.status === 'live' && <PostButton action={`${READ_MODELS_PAGE_PATH}/${entry.name}/rebuild`} csrf={csrf} label="Rebuild side by side" />}
                {entry.status === 'standby' && !entry.scratch && (
                  <PostButton action={`${READ_MODELS_PAGE_PATH}/${entry.name}/versions/${entry.version}/switch`} csrf={csrf} label="Switch to" />
                )}
                {entry.status === 'standby' && <PostButton action={`${READ_MODELS_PAGE_PATH}/${entry.name}/versions/${entry.version}/retire`} csrf={csrf} label="Retire" />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>Names that share tables (conferences and seat types; management orders, seat sales and sales over time) are rebuilt and switched together.</p>
    </OpsLayout>
  );
}
