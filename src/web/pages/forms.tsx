/** Form pieces every site uses. */

/** The CSRF token a form carries (`web/sessions.ts`). */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A form whose only control is one button (log out, publish…). */
export function PostButton({ action, csrf, label, class: className }: { action: string; csrf: string; label: string; class?: string }) {
  return (
    <form method="post" action={action} class={className ?? 'inline'}>
      <CsrfField token={csrf} />
      <button type="submit" class="button">
        {label}
      </button>
    </form>
  );
}

/** A message about the whole form or page, e.g. a failed log-in. */
export function Alert({ message }: { message?: string }) {
  return message ? (
    <p class="alert" role="alert">
      {message}
    </p>
  ) : null;
}
