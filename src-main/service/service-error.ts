// An error the service reports to the UI: a stable code (ours, a TCRP status name or a transport code)
// and a sentence a user can read.
export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
