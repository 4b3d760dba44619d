import Mustache from 'mustache';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NotificationKind } from '../../domain/notifications/notification-kinds.js';
import type { NotificationView } from '../../domain/notifications/notification-content.js';
import { DEFAULT_TEMPLATES, type TemplateSet } from './default-templates.js';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const noEscape = { escape: (value: unknown) => String(value) };

/**
 * The templates in force: the built-in ones, each replaced by the merchant's file of the same
 * name in `dir` when there is one. Read once at start, and parsed then, so a broken template
 * stops the process with its file name instead of failing every message later.
 */
export function loadTemplates(
  dir: string | undefined,
): (kind: NotificationKind, view: NotificationView) => RenderedMessage {
  const sets = new Map<NotificationKind, TemplateSet>();
  for (const [kind, defaults] of Object.entries(DEFAULT_TEMPLATES) as [NotificationKind, TemplateSet][]) {
    const set = { ...defaults };
    for (const part of ['subject', 'text', 'html'] as const) {
      const file = dir ? join(dir, `${kind}.${part}.mustache`) : undefined;
      const custom = file ? readIfPresent(file) : undefined;
      if (custom !== undefined) set[part] = custom;
      try {
        Mustache.parse(set[part]);
      } catch (error) {
        throw new Error(
          `Notification template ${file && custom !== undefined ? file : `${kind}.${part} (built in)`} does not parse: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    sets.set(kind, set);
  }
  return (kind, view) => {
    const set = sets.get(kind)!;
    return {
      // One line, whatever the data holds: a subject is a header.
      subject: Mustache.render(set.subject, view, {}, noEscape)
        .replace(/[\r\n]+/g, ' ')
        .trim(),
      text: Mustache.render(set.text, view, {}, noEscape),
      // HTML-escaped by Mustache ({{ }}); `{{{ }}}` in a merchant's template opts out.
      html: Mustache.render(set.html, view),
    };
  };
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
