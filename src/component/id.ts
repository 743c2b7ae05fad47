/** A component id: `type` or `type/name`, as in the OpenTelemetry Collector. */
export interface ComponentId {
  readonly type: string;
  readonly name: string;
}

const TYPE_RE = /^[a-zA-Z][0-9a-zA-Z_]{0,62}$/;
// Unicode spaces, control characters and symbols are not allowed in names (as in the Collector).
const NAME_RE = /^[^\p{Z}\p{C}\p{S}]+$/u;

/** Parses `type[/name]`; returns an error message instead when the id is malformed. */
export function parseComponentId(id: string): ComponentId | string {
  const slash = id.indexOf('/');
  const type = slash < 0 ? id : id.slice(0, slash);
  const name = slash < 0 ? '' : id.slice(slash + 1);
  if (!TYPE_RE.test(type)) {
    return `invalid component id "${id}": the type must start with a letter and hold only letters, digits and _ (at most 63)`;
  }
  if (slash >= 0 && !NAME_RE.test(name)) {
    return `invalid component id "${id}": the name after "/" must not be empty or contain spaces, control characters or symbols`;
  }
  return { type, name };
}
