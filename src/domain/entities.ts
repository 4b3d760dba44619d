import { ApiKey } from './auth/api-key.entity.js';
import { DiagnosticPing } from './diagnostics/diagnostic-ping.entity.js';

/** Every entity the ORM must know about. */
export const entities = [ApiKey, DiagnosticPing];
