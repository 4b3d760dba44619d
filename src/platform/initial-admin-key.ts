import type { Logger } from 'pino';
import { createInitialAdminKeyIfNone } from '../domain/auth/api-key.service.js';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import { createInitialAdminUserIfNone } from '../domain/users/user.service.js';
import type { Orm } from './database.js';

/**
 * First start of the embedded default: with no keys at all, create an admin key and print it
 * once, so whoever ran `npm start` can call the API straight away; with no users at all, the
 * same for the console's first admin user (its password printed once). That admin has no
 * second factor yet, and admins must: the message says its first session can only enrol, so
 * nobody mistakes the refusals that follow for a broken hub.
 */
export async function printInitialAdminKey(orm: Orm, logger: Logger): Promise<void> {
  const ctx = () => ({ actor: SYSTEM_PRINCIPAL, requestId: 'first-start', em: orm.em.fork(), logger });
  const token = await createInitialAdminKeyIfNone(ctx());
  const user = await createInitialAdminUserIfNone(ctx());
  if (user)
    process.stdout.write(
      [
        '',
        '  First start: a console admin user was created. Its password is shown only this once.',
        `  CONSOLE SIGN-IN: ${user.email} / ${user.password}`,
        '  (POST /auth/sign-in; change it with updateUser, or add people with createUser.)',
        '  Admins must use two-factor sign-in: until this admin enrols an authenticator app, its',
        '  session can only enrol (POST /auth/two-factor/enrolment, then /enrolment/confirm with a',
        '  code); keep the ten recovery codes the confirmation shows, they are shown only once.',
        '',
      ].join('\n') + '\n',
    );
  if (!token) return;
  process.stdout.write(
    [
      '',
      '  First start: an admin API key was created. It is shown only this once; keep it.',
      `  SWITCHYARD ADMIN KEY: ${token}`,
      '  Send it as "Authorization: Bearer <key>". If you lose it, stop the hub and run:',
      '    npx switchyard create-api-key --role admin --name "admin"',
      '',
    ].join('\n') + '\n',
  );
}
