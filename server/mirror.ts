import { ArraySchema, MapSchema, Schema } from "@colyseus/schema";
import {
  fieldsOf,
  type RoundtableState,
  type SchemaClass,
  type SyncedState,
} from "../shared/state.ts";

type Plain = Record<string, unknown>;

/**
 * Mirrors the machine's synced view into the room's Schema state, walking the schema's own
 * fields: primitives are assigned (a schema setter ignores an equal value, so a patch carries
 * only what changed), nested structures are mirrored in place, rows keep their identity.
 */
export function mirror(state: RoundtableState, synced: SyncedState): void {
  mirrorSchema(state, synced as unknown as Plain);
}

function mirrorSchema(target: Schema, source: Plain): void {
  const fields = target as unknown as Plain;
  for (const { name, type } of fieldsOf(target.constructor as SchemaClass)) {
    const value = source[name];
    if (value === undefined) continue;
    const current = fields[name];
    if (current instanceof MapSchema) {
      mirrorMap(current, value as Record<string, Plain>, childOf(type, "map"));
    } else if (current instanceof ArraySchema) {
      mirrorArray(current, value as unknown[], childOf(type, "array"));
    } else if (current instanceof Schema) {
      mirrorSchema(current, value as Plain);
    } else if (current !== value) {
      fields[name] = value;
    }
  }
}

/** The element type of a collection field: a Schema class, or a primitive's name. */
function childOf(type: unknown, kind: "map" | "array"): SchemaClass | string {
  return (type as Record<string, SchemaClass | string>)[kind]!;
}

/** Keeps a Schema map in step with a record of rows, updating rows in place. */
function mirrorMap(target: MapSchema, source: Record<string, Plain>, child: SchemaClass | string) {
  for (const [key, item] of Object.entries(source)) {
    if (typeof child === "string") {
      if (target.get(key) !== item) target.set(key, item);
      continue;
    }
    const row = target.get(key) as Schema | undefined;
    if (row) {
      mirrorSchema(row, item);
    } else {
      const added = new (child as SchemaClass)();
      mirrorSchema(added, item);
      target.set(key, added);
    }
  }
  for (const key of [...target.keys()]) {
    if (!Object.hasOwn(source, key)) target.delete(key);
  }
}

/**
 * Keeps a Schema array in step with a list. Rows with ids are updated in place while the ids
 * match position for position; otherwise the list is laid anew. Primitives are replaced only when
 * the list differs.
 */
function mirrorArray(target: ArraySchema, source: unknown[], child: SchemaClass | string) {
  if (typeof child === "string") {
    if (target.length === source.length && target.every((v, i) => v === source[i])) return;
    target.splice(0, target.length, ...source);
    return;
  }
  const rows = source as Plain[];
  const sameIds =
    target.length === rows.length &&
    rows.every((item, i) => (target[i] as Plain | undefined)?.id === item.id);
  if (sameIds) {
    rows.forEach((item, i) => mirrorSchema(target[i] as Schema, item));
    return;
  }
  target.splice(0, target.length);
  for (const item of rows) {
    const row = new (child as SchemaClass)();
    mirrorSchema(row, item);
    target.push(row);
  }
}
