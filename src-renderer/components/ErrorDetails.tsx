// A plain-words error and, under it, what the app was told (raw codes belong there, in small print).
import type { PlainError } from '../error-words.js';

export function ErrorDetails({ error }: { error: Pick<PlainError, 'text' | 'details'> }) {
  return (
    <>
      {error.text}
      {error.details && <span className="error-details">Details: {error.details}</span>}
    </>
  );
}
