// Turns a module's params JSON schema into form fields. The form covers the common
// shapes (strings, numbers, integers, booleans, enums, lists of strings); anything else
// is edited as JSON, and the whole params object always has a raw JSON editor too.

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'string-array' | 'json';

export interface FormField {
  name: string;
  kind: FieldKind;
  required: boolean;
  description: string;
  enumValues: string[];
  default: unknown;
  minimum: number | undefined;
  maximum: number | undefined;
}

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

export function fieldKind(prop: Schema): FieldKind {
  if (Array.isArray(prop.enum) && prop.enum.every((v) => typeof v === 'string')) return 'enum';
  switch (prop.type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
      return prop.type;
    case 'array':
      return isObject(prop.items) && prop.items.type === 'string' ? 'string-array' : 'json';
    default:
      return 'json';
  }
}

/** The fields of an object schema, in its order; null when it is not an object schema with properties. */
export function formFields(schema: unknown): FormField[] | null {
  if (!isObject(schema) || !isObject(schema.properties)) return null;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  return Object.entries(schema.properties).map(([name, raw]) => {
    const prop = isObject(raw) ? raw : {};
    return {
      name,
      kind: fieldKind(prop),
      required: required.includes(name),
      description: typeof prop.description === 'string' ? prop.description : '',
      enumValues: Array.isArray(prop.enum) ? prop.enum.map(String) : [],
      default: prop.default,
      minimum: typeof prop.minimum === 'number' ? prop.minimum : undefined,
      maximum: typeof prop.maximum === 'number' ? prop.maximum : undefined,
    };
  });
}

/** What an input's text means for a field: undefined = leave the field out (the default applies). */
export function valueFromInput(field: FormField, text: string): unknown {
  if (field.kind === 'string-array') {
    const items = text
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    return items.length === 0 ? undefined : items;
  }
  if (text === '') return undefined;
  if (field.kind === 'number' || field.kind === 'integer') {
    const n = Number(text);
    return Number.isFinite(n) ? n : text; // left as text: the server names the field and says why
  }
  if (field.kind === 'json') return JSON.parse(text);
  return text;
}

/** The text an input shows for a field's current value. */
export function inputFromValue(field: FormField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.kind === 'string-array') return Array.isArray(value) ? value.join('\n') : '';
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  return String(value);
}

/** `params` with `name` set to `value`, or removed when value is undefined. */
export function withParam(params: Record<string, unknown>, name: string, value: unknown): Record<string, unknown> {
  const next = { ...params };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}
