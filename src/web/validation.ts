import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

type Schema = TSchema & { type?: string; items?: TSchema; properties?: Record<string, TSchema> };

/**
 * Validates every request part with TypeBox and fills in defaults. Bodies are JSON and are never
 * coerced; query strings, params and headers are strings, so whole numbers and booleans are read
 * from them strictly (`5.5`, `1e2` or an empty string are not integers).
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  return (input: unknown) => {
    const value = Value.Default(schema, httpPart === 'body' ? input : coerceProperties(schema as Schema, input));
    if (validator.Check(value)) return { value };
    return { error: [...validator.Errors(value)] as FastifySchemaValidationError[] };
  };
};

function coerceProperties(schema: Schema, input: unknown): unknown {
  if (typeof input !== 'object' || input === null || !schema.properties) return input;
  const record = input as Record<string, unknown>;
  for (const [key, property] of Object.entries(schema.properties)) {
    if (record[key] !== undefined) record[key] = coerce(property as Schema, record[key]);
  }
  return record;
}

function coerce(schema: Schema, value: unknown): unknown {
  if (schema.type === 'array' && schema.items) {
    return (Array.isArray(value) ? value : [value]).map((item) => coerce(schema.items as Schema, item));
  }
  if (typeof value !== 'string') return value;
  if (schema.type === 'integer' && /^-?\d{1,16}$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  if (schema.type === 'number' && /^-?\d{1,15}(\.\d+)?$/.test(value)) return Number(value);
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/**
 * API.md's `fields` from validation errors: each bad field by its property name (nested ones as a
 * dotted path, e.g. `seats.0.quantity`), with the first problem found for it.
 */
export function validationFields(errors: FastifySchemaValidationError[], context = 'body'): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const error of errors) {
    for (const [field, message] of describe(error, context)) {
      if (!(field in fields)) fields[field] = message;
    }
  }
  return fields;
}

function describe(error: FastifySchemaValidationError, context: string): [string, string][] {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  const at = (name?: string) => [...path, ...(name === undefined ? [] : [name])].join('.') || context;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return namesIn(params.requiredProperties ?? params.missingProperty).map((name) => [at(name), 'is required']);
    case 'additionalProperties':
      return namesIn(params.additionalProperties ?? params.additionalProperty).map((name) => [at(name), 'is not allowed']);
    case 'boolean':
      // `additionalProperties: false` as TypeBox reports it at the property itself.
      return [[at(), 'is not allowed']];
    default:
      return [[at(), error.message ?? 'is invalid']];
  }
}

function namesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value === undefined ? [] : [String(value)];
}
