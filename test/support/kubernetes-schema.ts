/**
 * Validates Kubernetes objects against the Kubernetes OpenAPI schema with `kubernetes-models`
 * (ESM-only, hence the dynamic imports). It checks types, required fields and enums; the Kubernetes
 * schema allows unknown fields, so a misspelt optional field is not caught here.
 */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

/** The plain value of registered inputs: Pulumi secrets are unwrapped. */
export function withoutSecretMarkers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecretMarkers);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIGNATURE] === "1b47061264138c4ac30d75fd1eb44270")
      return withoutSecretMarkers(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, withoutSecretMarkers(v)]));
  }
  return value;
}

/** `kubernetes:apps/v1:Deployment` -> the module path and class of kubernetes-models. */
export function modelOf(type: string): { module: string; kind: string } | undefined {
  const match = /^kubernetes:([^:]+):([A-Za-z]+)$/.exec(type);
  if (!match) return undefined;
  const groupVersion = match[1].startsWith("core/") ? match[1].slice("core/".length) : match[1];
  return { module: `kubernetes-models/${groupVersion}`, kind: match[2] };
}

/** Throws the validator's message when the object does not match its schema. */
export async function validateKubernetesObject(type: string, object: Record<string, unknown>): Promise<void> {
  const model = modelOf(type);
  if (!model) throw new Error(`${type} is not a Kubernetes object type`);
  const exports = (await import(model.module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = exports[model.kind];
  if (!Model) throw new Error(`kubernetes-models has no ${model.kind} in ${model.module}`);
  new Model(object).validate();
}
