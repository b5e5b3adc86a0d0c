/**
 * A structured editor for a node's JSON configuration, whatever its exact shape: numbers,
 * strings and booleans become inputs, arrays of objects become tables with rows to add and
 * remove (load-balancing members, VLANs, backup routes), nested objects become sections
 * (failover thresholds). Every input carries its path (`members[0].weight`) in `data-path`.
 *
 * @example
 * <ConfigForm value={draft} onChange={setDraft} disabled={!admin} />
 */
import { formatPath, setAtPath } from '../lib/config-diff.ts';

type Json = unknown;
type Path = (string | number)[];

/** Friendlier titles for the sections operators look for. */
const TITLES: Record<string, string> = {
  members: 'Load-balancing weights and WAN preferences',
  wans: 'WAN preferences',
  policies: 'Policies',
  rules: 'Rules',
  vlans: 'VLANs',
  health: 'Failover thresholds',
  thresholds: 'Failover thresholds',
  failover: 'Failover thresholds',
  backup_routes: 'Backup routes',
  backupRoutes: 'Backup routes',
  routes: 'Backup routes',
};

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function ConfigForm(props: {
  value: Json;
  onChange: (v: Json) => void;
  disabled?: boolean;
}) {
  const set = (path: Path, v: Json) => props.onChange(setAtPath(props.value, path, v));
  if (!isObject(props.value)) return <p className="muted">The configuration is not an object.</p>;
  return (
    <div className="config-form">
      <ObjectFields value={props.value} path={[]} set={set} disabled={props.disabled} />
    </div>
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
            <label key={k}>
              <span>{k}</span>
              <Leaf value={value[k]} path={[...path, k]} set={set} disabled={disabled} />
            </label>
          ))}
        </div>
      )}
      {groups.map((k) => {
        const v = value[k];
        return (
          <fieldset key={k}>
            <legend>{(path.length === 0 && TITLES[k]) || k}</legend>
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
            <th key={c}>{c}</th>
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
  const dataPath = formatPath(path);
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
  if (typeof value === 'number') {
    return (
      <input
        type="number"
        data-path={dataPath}
        value={Number.isFinite(value) ? value : ''}
        disabled={disabled}
        step="any"
        onChange={(e) => set(path, e.target.value === '' ? 0 : Number(e.target.value))}
      />
    );
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
