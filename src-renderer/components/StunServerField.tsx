// "STUN server for the reachability check" (issue 17 item 3), under "Make this room reachable": a
// preference, empty by default so no third party is contacted unless the user names one. The rule and
// its words are the ones the IPC boundary and the CLI's --stun use (src-shared/reach/stun-server.ts).
import { STUN_SERVER_MAX_LENGTH, stunServerPrefProblem } from '../../src-shared/reach/stun-server.js';
import { Field } from './form-parts.js';

/** What is wrong with the typed server, as a sentence; null when it is empty (off) or fine. */
export function stunServerError(text: string): string | null {
  const problem = stunServerPrefProblem(text);
  if (problem === null) return null;
  return `${problem.charAt(0).toUpperCase()}${problem.slice(1)}. Type a name or an IPv4 address, with :port if it is not 3478, or leave it empty to skip the check.`;
}

export function StunServerField(props: {
  value: string;
  onChange(value: string): void;
  error: string | null;
  onBlur(): void;
}) {
  return (
    <Field
      label="STUN server for the reachability check (optional)"
      hint="Empty: off, and nobody outside your network is contacted. If you name one (for example stun.example.org), Tincan asks it once where your connection comes from, to tell whether a second router or your provider's NAT is in the way; that server learns your public address."
      error={props.error ? { text: props.error, details: null } : null}
    >
      {(id, d) => (
        <input
          id={id}
          name="stunServer"
          aria-describedby={d}
          value={props.value}
          maxLength={STUN_SERVER_MAX_LENGTH}
          spellCheck={false}
          autoComplete="off"
          placeholder="host or host:port"
          onChange={(e) => props.onChange(e.target.value)}
          onBlur={props.onBlur}
          aria-invalid={!!props.error}
        />
      )}
    </Field>
  );
}
