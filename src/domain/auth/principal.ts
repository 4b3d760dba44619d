import type { Role } from './roles.js';

/** Who is calling: an API key (possibly the bootstrap admin key), a console user, or the system itself. */
export interface Principal {
  kind: 'api_key' | 'bootstrap_admin' | 'user' | 'system';
  /** The API key's id; `bootstrap` for SWITCHYARD_ADMIN_KEY; the user's id; `system` for jobs and CLI. */
  id: string;
  name: string;
  role: Role;
  /** When set, the key only sees and touches this channel's data. */
  channelId: string | null;
  /** The visible part of the key (`syk_ab12cd34`), safe to log. */
  keyPrefix: string | null;
}

export const SYSTEM_PRINCIPAL: Principal = {
  kind: 'system',
  id: 'system',
  name: 'system',
  role: 'admin',
  channelId: null,
  keyPrefix: null,
};
