/** What a form's last save did: a confirmation (role="status") or the API's error (role="alert"), each only when set. */

interface Props {
  saved?: string;
  error?: string;
  savedTestId?: string;
  errorTestId?: string;
}

export function FormResult({ saved, error, savedTestId, errorTestId }: Props) {
  return (
    <>
      {saved ? (
        <p className="form-ok" role="status" data-testid={savedTestId}>
          {saved}
        </p>
      ) : null}
      {error ? (
        <p className="form-error" role="alert" data-testid={errorTestId}>
          {error}
        </p>
      ) : null}
    </>
  );
}
