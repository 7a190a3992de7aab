/** The one way pages show an error or a confirmation: announced to screen readers, findable by tests. */
export function Alerts({ error, notice }: { error?: string; notice?: string }) {
  return (
    <>
      {notice && (
        <p class="notice" role="status" data-testid="notice">
          {notice}
        </p>
      )}
      {error && (
        <p class="error" role="alert" data-testid="error">
          {error}
        </p>
      )}
    </>
  );
}
