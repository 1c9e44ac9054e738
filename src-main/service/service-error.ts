// An error the service reports to the UI: a stable code and a sentence a user can read. The service's
// own codes come from SERVICE_ERROR_CODES (a typo does not compile); codes from elsewhere (a TCRP
// status, an engine transport failure, an OS code) enter only through error-mapping.ts.
import type { ApiErrorCode, CertificateChange, ServiceErrorCode } from '../../src-shared/ipc/contract.js';

export class ServiceError extends Error {
  override name = 'ServiceError';
  readonly code: ApiErrorCode;
  /** encrypted transport (#16): set with CERTIFICATE_CHANGED, for the user's decision. */
  certificateChange?: CertificateChange;

  constructor(code: ServiceErrorCode, message: string) {
    super(message);
    this.code = code;
  }

  /** A code the engine or the OS chose (see error-mapping.ts). */
  static foreign(code: string, message: string): ServiceError {
    const error = new ServiceError('INTERNAL', message);
    (error as { code: ApiErrorCode }).code = code;
    return error;
  }
}
