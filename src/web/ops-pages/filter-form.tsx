import type { ComponentChildren } from 'preact';

/** The filter form of an operator list page: its fields, then the submit button (a GET to `action`). */
export function FilterForm({ action, submit = 'Filter', children }: { action: string; submit?: string; children: ComponentChildren }) {
  return (
    <form method="get" action={action} class="form filters">
      {children}
      <div class="form-actions">
        <button type="submit" class="button">
          {submit}
        </button>
      </div>
    </form>
  );
}

/** A filter chosen from a list, with "any" ('') first. */
export function FilterSelect({ name, label, value, options }: { name: string; label: string; value: string; options: Array<{ value: string; label: string }> }) {
  return (
    <div class="field">
      <label for={name}>{label}</label>
      <select id={name} name={name}>
        <option value="" selected={value === ''}>
          any
        </option>
        {options.map((option) => (
          <option key={option.value} value={option.value} selected={value === option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
