import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Seeds `count` synthetic orders through the CLI an operator would use (`switchyard
 * seed-orders --count <n>`), streaming its progress bar into the bench log every 10 s.
 */
export function seedOrdersWithCli(databaseUrl: string, count: number, log: (m: string) => void): Promise<void> {
  const main = fileURLToPath(new URL('../../src/main.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, 'seed-orders', '--count', String(count)], {
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let last = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString().split('\r').filter(Boolean).at(-1) ?? '';
      if (text.includes('100%') || text.startsWith('seeded') || text !== last) last = text;
    });
    const timer = setInterval(() => last && log(last.trim()), 10_000);
    child.once('exit', (code) => {
      clearInterval(timer);
      log(last.trim());
      if (code === 0) resolve();
      else reject(new Error(`seed-orders exited with ${code}`));
    });
  });
}
