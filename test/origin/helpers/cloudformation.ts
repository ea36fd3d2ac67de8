// Just enough CloudFormation to check a packaged template offline: resolve the conditions it uses, and find
// every Ref, Fn::GetAtt and Fn::Sub name so a typo in serverless.yml fails here rather than at deploy time.

export interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
}

export interface Template {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
}

const NO_VALUE = Symbol("AWS::NoValue");

/** Evaluates Fn::If / Fn::Equals / Fn::Not / Condition and drops AWS::NoValue, as CloudFormation does. */
export function resolveConditions(value: unknown, template: Template): unknown {
  const resolved = resolve(value, template);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolve(value: unknown, template: Template): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, template)).filter((v) => v !== NO_VALUE);
  if (typeof value !== "object" || value === null) return value;
  const obj = value as Record<string, unknown>;
  if (obj["Ref"] === "AWS::NoValue") return NO_VALUE;
  if ("Fn::If" in obj) {
    const [name, whenTrue, whenFalse] = obj["Fn::If"] as [string, unknown, unknown];
    return resolve(condition(name, template) ? whenTrue : whenFalse, template);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const r = resolve(v, template);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

export function condition(name: string, template: Template): boolean {
  const body = template.Conditions?.[name];
  if (body === undefined) throw new Error(`condition ${name} is not defined`);
  return evaluate(body, template);
}

function evaluate(expr: unknown, template: Template): boolean {
  const obj = expr as Record<string, unknown>;
  if ("Fn::Not" in obj) return !evaluate((obj["Fn::Not"] as unknown[])[0], template);
  if ("Fn::Equals" in obj) {
    const [a, b] = obj["Fn::Equals"] as [unknown, unknown];
    return String(a) === String(b);
  }
  if ("Condition" in obj) return condition(obj["Condition"] as string, template);
  throw new Error(`unsupported condition expression ${JSON.stringify(expr)}`);
}

/** Every logical name the template refers to (Ref, Fn::GetAtt, ${Name} in Fn::Sub), pseudo-parameters aside. */
export function referencedNames(template: Template): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== "object" || value === null) return;
    const obj = value as Record<string, unknown>;
    if (typeof obj["Ref"] === "string") names.add(obj["Ref"]);
    const getAtt = obj["Fn::GetAtt"];
    if (Array.isArray(getAtt)) names.add(String(getAtt[0]));
    if (typeof getAtt === "string") names.add(getAtt.split(".")[0] as string);
    const sub = obj["Fn::Sub"];
    const text = typeof sub === "string" ? sub : Array.isArray(sub) ? String(sub[0]) : undefined;
    for (const m of text?.matchAll(/\$\{([^}!]+)\}/g) ?? []) names.add((m[1] as string).split(".")[0] as string);
    Object.values(obj).forEach(visit);
  };
  visit(template.Resources);
  for (const name of [...names]) if (name.startsWith("AWS::")) names.delete(name);
  return names;
}

/** The text of an Fn::Sub after substitution with placeholder values, e.g. to parse a dashboard body. */
export function substitute(sub: string, values: (name: string) => string): string {
  return sub.replace(/\$\{([^}!]+)\}/g, (_, name: string) => values(name));
}
