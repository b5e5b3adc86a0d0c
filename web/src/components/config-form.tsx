/**
 * A structured editor for a node's JSON configuration, whatever its exact shape: numbers,
 * strings and booleans become inputs, arrays of objects become tables with rows to add and
 * remove (load-balancing members, VLANs, backup routes), nested objects become sections
 * (failover thresholds). Every input carries its path (`members[0].weight`) in `data-path`.
 * Settings are labelled for people, with units (`holdDownMs` → "Hold-down (ms)"; the key stays
 * in the tooltip). A number field that is cleared, or holds something that is not a number, is
 * not turned into 0 or made positive: it goes to the validator as it is (cleared = left out) and
 * the validator's issue for that path is shown next to the field.
 *
 * @example
 * <ConfigForm value={draft} template={running} errors={issuesByPath} onChange={setDraft} />
 */
import { createContext, useContext, useEffect, useState } from 'react';
import { formatPath, parsePath, setAtPath } from '../lib/config-diff.ts';
import { fieldLabel } from '../lib/field-labels.ts';

type Json = unknown;
type Path = (string | number)[];

/** Friendlier titles for the sections operators look for. */
const TITLES: Record<string, string> = {
  members: 'Load-balancing weights and WAN preferences',
  wans: 'WAN preferences',
  policies: 'Policies',
  rules: 'Rules',
  vlans: 'VLANs',
  ssids: 'SSIDs',
  health: 'Failover thresholds',
  thresholds: 'Failover thresholds',
  failover: 'Failover thresholds',
  backup_routes: 'Backup routes',
  backupRoutes: 'Backup routes',
  routes: 'Backup routes',
};

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface FormContext {
  /** The running configuration: tells a field's kind once its draft value is cleared. */
  template: Json;
  /** Validation messages by path (`policy.members[0].weight`). */
  errors: ReadonlyMap<string, string[]>;
}

const Form = createContext<FormContext>({ template: undefined, errors: new Map() });

function valueAt(root: Json, path: Path): Json {
  let v = root;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, Json>)[p];
  }
  return v;
}

export function ConfigForm(props: {
  value: Json;
  onChange: (v: Json) => void;
  disabled?: boolean;
  /** The running configuration, if known. */
  template?: Json;
  /** The validator's issues, each with its path. */
  errors?: readonly { path: string; message: string }[];
}) {
  const set = (path: Path, v: Json) => props.onChange(setAtPath(props.value, path, v));
  if (!isObject(props.value)) return <p className="muted">The configuration is not an object.</p>;
  const errors = new Map<string, string[]>();
  for (const e of props.errors ?? []) {
    // The same path written by either side: normalise through the form's own formatting.
    const key = formatPath(parsePath(e.path));
    errors.set(key, [...(errors.get(key) ?? []), e.message]);
  }
  return (
    <Form.Provider value={{ template: props.template, errors }}>
      <div className="config-form">
        <ObjectFields value={props.value} path={[]} set={set} disabled={props.disabled} />
      </div>
    </Form.Provider>
  );
}

/** The validator's messages for a field, shown under it. */
function FieldErrors({ path }: { path: Path }) {
  const { errors } = useContext(Form);
  const key = formatPath(path);
  const messages = errors.get(key);
  if (!messages) return null;
  return (
    <span className="field-error" data-error-for={key}>
      {messages.join('; ')}
    </span>
  );
}

interface FieldProps {
  path: Path;
  set: (path: Path, v: Json) => void;
  disabled?: boolean;
}

function ObjectFields({
  value,
  path,
  set,
  disabled,
}: FieldProps & { value: Record<string, Json> }) {
  const keys = Object.keys(value);
  const leaves = keys.filter((k) => !isContainer(value[k]) || isPrimitiveArray(value[k]));
  const groups = keys.filter((k) => !leaves.includes(k));
  return (
    <>
      {leaves.length > 0 && (
        <div className="field-grid">
          {leaves.map((k) => (
            <label key={k} title={k} data-key={k}>
              <span>{fieldLabel(k)}</span>
              <Leaf value={value[k]} path={[...path, k]} set={set} disabled={disabled} />
              <FieldErrors path={[...path, k]} />
            </label>
          ))}
        </div>
      )}
      {groups.map((k) => {
        const v = value[k];
        return (
          <fieldset key={k}>
            <legend title={k}>{(path.length === 0 && TITLES[k]) || fieldLabel(k)}</legend>
            <FieldErrors path={[...path, k]} />
            {Array.isArray(v) ? (
              <RowTable rows={v} path={[...path, k]} set={set} disabled={disabled} />
            ) : (
              <ObjectFields
                value={v as Record<string, Json>}
                path={[...path, k]}
                set={set}
                disabled={disabled}
              />
            )}
          </fieldset>
        );
      })}
    </>
  );
}

function isContainer(v: Json): boolean {
  return typeof v === 'object' && v !== null;
}

function isPrimitiveArray(v: Json): boolean {
  return Array.isArray(v) && v.every((x) => !isContainer(x));
}

function RowTable({ rows, path, set, disabled }: FieldProps & { rows: Json[] }) {
  const objects = rows.every(isObject);
  if (!objects) {
    return <pre className="code small">{JSON.stringify(rows, null, 2)}</pre>;
  }
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r as Record<string, Json>)))];
  const blank = (): Record<string, Json> => {
    const last = rows[rows.length - 1] as Record<string, Json> | undefined;
    if (!last) return {};
    return Object.fromEntries(
      Object.entries(last).map(([k, v]) => [
        k,
        typeof v === 'number' ? v : typeof v === 'boolean' ? v : typeof v === 'string' ? '' : v,
      ]),
    );
  };
  return (
    <table className="table compact edit">
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} title={c}>
              {fieldLabel(c)}
            </th>
          ))}
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {columns.map((c) => {
              const cell = (row as Record<string, Json>)[c];
              return (
                <td key={c}>
                  {isContainer(cell) && !isPrimitiveArray(cell) ? (
                    <code className="small">{JSON.stringify(cell)}</code>
                  ) : (
                    <Leaf value={cell} path={[...path, i, c]} set={set} disabled={disabled} />
                  )}
                  <FieldErrors path={[...path, i, c]} />
                </td>
              );
            })}
            <td>
              <button
                className="ghost small"
                disabled={disabled}
                title="Remove this row"
                onClick={() =>
                  set(
                    path,
                    rows.filter((_, j) => j !== i),
                  )
                }
              >
                ✕
              </button>
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={columns.length + 1}>
            <button
              className="ghost small"
              disabled={disabled}
              onClick={() => set(path, [...rows, blank()])}
            >
              + add row
            </button>
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

function Leaf({ value, path, set, disabled }: FieldProps & { value: Json }) {
  const { template } = useContext(Form);
  const dataPath = formatPath(path);
  const isNumberField = (p: Path, v: Json) =>
    (v === undefined || v === null || typeof v === 'string') &&
    typeof valueAt(template, p) === 'number';
  if (typeof value === 'boolean') {
    return (
      <input
        type="checkbox"
        data-path={dataPath}
        checked={value}
        disabled={disabled}
        onChange={(e) => set(path, e.target.checked)}
      />
    );
  }
  if (typeof value === 'number' || isNumberField(path, value)) {
    return <NumberField value={value} path={path} set={set} disabled={disabled} />;
  }
  if (Array.isArray(value)) {
    const numeric = value.length > 0 && value.every((x) => typeof x === 'number');
    return (
      <input
        data-path={dataPath}
        value={value.join(', ')}
        disabled={disabled}
        title="comma-separated"
        onChange={(e) => {
          const parts = e.target.value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
          set(path, numeric ? parts.map(Number) : parts);
        }}
      />
    );
  }
  return (
    <input
      data-path={dataPath}
      value={value == null ? '' : String(value)}
      placeholder={value === null ? 'null' : undefined}
      disabled={disabled}
      onChange={(e) => set(path, e.target.value)}
    />
  );
}

/**
 * A number as the operator types it. The text is kept as typed; what goes into the draft is the
 * number it reads as, nothing when cleared (so the validator says the setting is required), or
 * the text itself when it is not a number (so the validator says a number is expected). A "-"
 * typed before "5" therefore never becomes 0 or 5.
 */
function NumberField({ value, path, set, disabled }: FieldProps & { value: Json }) {
  const shown = (v: Json) => (v === undefined || v === null ? '' : String(v));
  const [text, setText] = useState(shown(value));
  // A change from outside (the JSON tab, a reload) replaces what was typed.
  useEffect(() => {
    setText((t) => (toDraft(t) === value ? t : shown(value)));
  }, [value]);
  return (
    <input
      type="text"
      inputMode="decimal"
      data-path={formatPath(path)}
      data-kind="number"
      value={text}
      disabled={disabled}
      onChange={(e) => {
        setText(e.target.value);
        set(path, toDraft(e.target.value));
      }}
    />
  );
}

function toDraft(text: string): Json {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : text;
}
