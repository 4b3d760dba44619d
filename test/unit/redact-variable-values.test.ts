import { describe, expect, it } from '@jest/globals';
import { redactVariableValues } from '../../src/schema/errors/redact-variable-values.js';

describe('redactVariableValues (a rejected variable value never comes back)', () => {
  it.each([
    [
      'Variable "$input" got invalid value { accessToken: "shpat_S", extra: 1 } at "input.credentials"; Field "extra" is not defined by type "ChannelCredentialsInput".',
      'Variable "$input" got an invalid value at "input.credentials"; Field "extra" is not defined by type "ChannelCredentialsInput".',
    ],
    [
      'Variable "$input" got invalid value ["shpat_S"] at "input.credentials.webhookSecret"; String cannot represent a non string value: ["shpat_S"]',
      'Variable "$input" got an invalid value at "input.credentials.webhookSecret"; String cannot represent a non string value.',
    ],
    [
      'Variable "$input" got invalid value { kind: "SHOPIFY", credentials: { accessToken: "shpat_S; at \\"input.x\\"; " } }; Field "name" of required type "String!" was not provided.',
      'Variable "$input" got an invalid value; Field "name" of required type "String!" was not provided.',
    ],
    [
      'Variable "$k" got invalid value "shpat_S"; Value "shpat_S" does not exist in "ChannelKind" enum.',
      'Variable "$k" got an invalid value; The value is not one of the ChannelKind enum\'s values.',
    ],
    [
      'Variable "$n" got invalid value "shpat_S"; Int cannot represent non-integer value: "shpat_S"',
      'Variable "$n" got an invalid value; Int cannot represent non-integer value.',
    ],
    [
      'Variable "$n" got invalid value "shpat_S"; Something new: shpat_S',
      'Variable "$n" got an invalid value; The value does not have the type the schema expects there.',
    ],
  ])('%s', (message, expected) => {
    expect(redactVariableValues(message)).toBe(expected);
    expect(redactVariableValues(message)).not.toContain('shpat_S');
  });

  it('leaves other messages alone', () => {
    expect(redactVariableValues('Cannot query field "x" on type "Query".')).toBe(
      'Cannot query field "x" on type "Query".',
    );
  });
});
