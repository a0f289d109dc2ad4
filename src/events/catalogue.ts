// The event catalogue: every event type the gateway writes has one zod schema here. Appends are validated against
// it, and reading an event of an unknown type or with invalid data is an error that names its log position.
// Upcasters turn events written by older code into today's shape before validation.
import { z, type ZodType } from 'zod';

export class EventDecodeError extends Error {
  constructor(
    readonly position: number,
    readonly eventType: string,
    reason: string,
  ) {
    super(`event at position ${position} (${eventType}): ${reason}`);
  }
}

export class EventValidationError extends Error {
  constructor(
    readonly eventType: string,
    reason: string,
  ) {
    super(`invalid ${eventType} event: ${reason}`);
  }
}

type Upcaster = (data: unknown) => { type: string; data: unknown };

/**
 * An event the gateway builds itself, on the hot path of a turn, from values whose static type is already its
 * schema's output (`checkedEvent`): appending it skips the zod parse (the compiler did that check), as parsing
 * the gateway's own objects again on every chunk would only cost time. Events from outside (a client, a config, a
 * stored snapshot) keep going through `validate`.
 */
export interface CheckedEvent {
  type: string;
  data: unknown;
  /** the JSON text of `data` when the caller has it (NewEvent.dataText) */
  dataText?: string;
  readonly checked: true;
}

/** An event of type `type` whose data has its schema's output type (see CheckedEvent). */
export function checkedEvent<S extends ZodType>(type: string, _schema: S, data: z.output<S>, dataText?: string): CheckedEvent {
  return dataText === undefined ? { type, data, checked: true } : { type, data, dataText, checked: true };
}

export function isCheckedEvent(e: object): e is CheckedEvent {
  return (e as { checked?: unknown }).checked === true;
}

export class EventCatalogue {
  private readonly schemas = new Map<string, ZodType>();
  private readonly upcasters = new Map<string, Upcaster>();

  /** Register an event type. Returns the schema for use in types (`z.infer`). */
  define<T extends ZodType>(type: string, schema: T): T {
    if (this.schemas.has(type)) throw new Error(`event type defined twice: ${type}`);
    this.schemas.set(type, schema);
    return schema;
  }

  /** Map a retired event type to a current one (applied when reading). */
  upcast(oldType: string, upcaster: Upcaster): void {
    this.upcasters.set(oldType, upcaster);
  }

  has(type: string): boolean {
    return this.schemas.has(type) || this.upcasters.has(type);
  }

  types(): string[] {
    return [...this.schemas.keys()];
  }

  /** Validate an event before it is appended; returns the parsed data (defaults applied). */
  validate(type: string, data: unknown): unknown {
    const schema = this.schemas.get(type);
    if (!schema) throw new EventValidationError(type, 'unknown event type');
    const r = schema.safeParse(data);
    if (!r.success) throw new EventValidationError(type, describe(r.error));
    return r.data;
  }

  /** Decode a stored event: upcast, then validate. Errors name the position. */
  decode(position: number, type: string, data: unknown): { type: string; data: unknown } {
    let current = { type, data };
    for (let guard = 0; this.upcasters.has(current.type) && guard < 16; guard++) {
      current = this.upcasters.get(current.type)!(current.data);
    }
    const schema = this.schemas.get(current.type);
    if (!schema) throw new EventDecodeError(position, type, 'unknown event type');
    const r = schema.safeParse(current.data);
    if (!r.success) throw new EventDecodeError(position, type, describe(r.error));
    return { type: current.type, data: r.data };
  }
}

function describe(error: z.ZodError): string {
  const i = error.issues[0];
  if (!i) return 'invalid data';
  return `${i.path.length ? i.path.join('.') : '(data)'}: ${i.message}`;
}
