/**
 * graphql-js names a rejected variable's value in its message ("Variable "$input" got invalid
 * value { …, accessToken: "shpat_…" } at "input.credentials"; Field "x" is not defined…"), and
 * scalar errors echo it again ("String cannot represent a non string value: …"). A client's
 * secrets (channel credentials) would come back in the answer and in every log or proxy that
 * keeps answers, so the value is dropped: the path and the reason say what is wrong.
 */
const VARIABLE_PREFIX = /^Variable "\$([A-Za-z_][A-Za-z0-9_]*)" got invalid value /;

/** Reasons graphql-js gives that name only types and fields, never the value. */
const SAFE_REASONS = [
  /^Field "[A-Za-z_][A-Za-z0-9_]*" is not defined by type "[A-Za-z_][A-Za-z0-9_]*"\.(?: Did you mean [^;]*)?$/,
  /^Field "[A-Za-z_][A-Za-z0-9_]*" of required type "[A-Za-z_][A-Za-z0-9_[\]!]*" was not provided\.$/,
  /^Expected type "[A-Za-z_][A-Za-z0-9_]*" to be an object\.$/,
  /^Expected non-nullable type "[A-Za-z_][A-Za-z0-9_[\]!]*" not to be null\.$/,
];

function safeReason(reason: string): string {
  if (SAFE_REASONS.some((r) => r.test(reason))) return reason;
  const enumMatch = /does not exist in "([A-Za-z_][A-Za-z0-9_]*)" enum\./.exec(reason);
  if (enumMatch) return `The value is not one of the ${enumMatch[1]} enum's values.`;
  const scalar =
    /^(?:Expected type "([A-Za-z_][A-Za-z0-9_]*)"\. )?([A-Za-z_][A-Za-z0-9_]*) cannot represent ([^:]*)/.exec(reason);
  if (scalar) return `${scalar[2]} cannot represent ${scalar[3]!.replace(/\.$/, '')}.`;
  return 'The value does not have the type the schema expects there.';
}

export function redactVariableValues(message: string): string {
  const head = VARIABLE_PREFIX.exec(message);
  if (!head) return message;
  const name = head[1]!;
  const rest = message.slice(head[0].length);
  // Strings in the echoed value are JSON-quoted (inner quotes escaped), so the first unescaped
  // ` at "$name…"; ` is graphql-js's own path, not something inside the value.
  const at = new RegExp(` at "(${name}(?:\\.[A-Za-z_][A-Za-z0-9_]*|\\[\\d+\\])*)"; `).exec(rest);
  if (at)
    return `Variable "$${name}" got an invalid value at "${at[1]}"; ${safeReason(rest.slice(at.index + at[0].length))}`;
  // The variable itself is wrong: the reason is the end of the message after the last "; ".
  const reason = rest.slice(rest.lastIndexOf('; ') + 2);
  return `Variable "$${name}" got an invalid value; ${safeReason(reason)}`;
}
