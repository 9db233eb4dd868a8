import { Gauge, type Registry } from 'prom-client';
import { SWITCH_NAMES, type MaintenanceSwitches } from '../../platform/maintenance/switches.ts';
import type { Processing } from '../../platform/processing/processing.ts';

/**
 * `contoso_maintenance{switch}` (1 while a switch is on) and, where this process runs the handlers,
 * `contoso_processing_paused` (1 once they have stopped taking messages for maintenance).
 */
export function registerMaintenanceMetrics(registry: Registry, switches: MaintenanceSwitches, processing: Processing | undefined): void {
  new Gauge({
    name: 'contoso_maintenance',
    help: 'Maintenance switches: 1 while the public site, the management site or processing is in maintenance',
    labelNames: ['switch'] as const,
    registers: [registry],
    collect() {
      for (const name of SWITCH_NAMES) this.set({ switch: name }, switches.state[name] ? 1 : 0);
    },
  });
  if (!processing) return;
  new Gauge({
    name: 'contoso_processing_paused',
    help: "1 once this process's handlers and timers have stopped taking work for maintenance",
    registers: [registry],
    collect() {
      this.set(processing.state === 'paused' ? 1 : 0);
    },
  });
}
