/**
 * The stack configuration, read once through a typed and validated schema. `Pulumi.yaml` declares the same
 * keys with their types, defaults and descriptions for the CLI; a test keeps the two in step.
 *
 * Every problem is collected and reported together, each naming the key, what is allowed and the command
 * that fixes it, so a bad stack file costs one run, not one run per key.
 */
import * as pulumi from "@pulumi/pulumi";

export const CONFIG_NAMESPACE = "traderx";
export const PROFILES = ["kind", "minikube", "aws-ec2-k8s"] as const;
export type Profile = (typeof PROFILES)[number];

/** Where raw config strings come from: the Pulumi runtime in the program, a plain map in tests. */
export type ConfigSource = (key: string) => string | undefined;

/** The default node image of kind v0.33 (Kubernetes 1.37), pinned by digest as kind requires. */
export const DEFAULT_KIND_NODE_IMAGE =
  "kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5";

/** Contract 7.3: Grafana's admin login is admin/admin unless the stack sets a secret. */
const DEFAULT_GRAFANA_ADMIN_PASSWORD = "admin";

interface KeySpec<T> {
  type: "string" | "integer" | "boolean";
  description: string;
  default?: T;
  secret?: boolean;
  /** Returns the parsed value, or a description of what is allowed. */
  parse(raw: string): { value: T } | { allowed: string };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string) =>
    (values as readonly string[]).includes(raw)
      ? { value: raw as T }
      : { allowed: `one of ${values.join(", ")}` };
}

function integerIn(min: number, max: number) {
  return (raw: string) => {
    const value = Number(raw);
    return /^\d+$/.test(raw) && value >= min && value <= max
      ? { value }
      : { allowed: `an integer from ${min} to ${max}` };
  };
}

function boolean(raw: string) {
  return raw === "true" || raw === "false" ? { value: raw === "true" } : { allowed: "true or false" };
}

function matching(pattern: RegExp, allowed: string) {
  return (raw: string) => (pattern.test(raw) ? { value: raw } : { allowed });
}

const DNS_LABEL = matching(
  /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
  "a DNS label: lower-case letters, digits and '-', at most 63",
);

/** The schema: every key the program reads. `Pulumi.yaml` mirrors it. */
export const CONFIG_SCHEMA = {
  profile: {
    type: "string",
    description:
      "Where TraderX runs: kind (default), minikube, or the aws-ec2-k8s profile (declared, disabled).",
    default: "kind",
    parse: oneOf(PROFILES),
  } as KeySpec<Profile>,
  clusterName: {
    type: "string",
    description: "Name of the Kind cluster or minikube profile the program creates and deletes.",
    default: "traderx-state-010",
    parse: DNS_LABEL,
  } as KeySpec<string>,
  namespace: {
    type: "string",
    description: "Namespace of the application workloads (Pod Security Standard restricted).",
    default: "traderx",
    parse: DNS_LABEL,
  } as KeySpec<string>,
  hostPort: {
    type: "integer",
    description: "Host port of the browser entrypoint, http://localhost:<hostPort>.",
    default: 8080,
    parse: integerIn(1, 65535),
  } as KeySpec<number>,
  nodePort: {
    type: "integer",
    description: "NodePort of the edge Service; the Kind node maps it to hostPort.",
    default: 30080,
    parse: integerIn(30000, 32767),
  } as KeySpec<number>,
  replicas: {
    type: "integer",
    description: "Replicas of each stateless Deployment (1 keeps the baseline deterministic).",
    default: 1,
    parse: integerIn(1, 10),
  } as KeySpec<number>,
  observability: {
    type: "boolean",
    description: "Deploy Prometheus, Grafana, Loki, Tempo, the collectors and the exporters.",
    default: true,
    parse: boolean,
  } as KeySpec<boolean>,
  networkPolicies: {
    type: "boolean",
    description: "Default-deny NetworkPolicies plus allows generated from the catalog's call graph.",
    default: true,
    parse: boolean,
  } as KeySpec<boolean>,
  autoscaling: {
    type: "boolean",
    description: "Add an autoscaling/v2 HPA (CPU) to every stateless Deployment.",
    default: false,
    parse: boolean,
  } as KeySpec<boolean>,
  buildImages: {
    type: "boolean",
    description:
      "Build the service images with Docker. false loads images already present locally under their content tags.",
    default: true,
    parse: boolean,
  } as KeySpec<boolean>,
  deployEnabled: {
    type: "boolean",
    description: "Whether this stack may deploy at all. The aws-ec2-k8s profile keeps it false.",
    default: true,
    parse: boolean,
  } as KeySpec<boolean>,
  kindNodeImage: {
    type: "string",
    description: "Kind node image, pinned by digest.",
    default: DEFAULT_KIND_NODE_IMAGE,
    parse: matching(
      /^kindest\/node:v[0-9.]+(@sha256:[0-9a-f]{64})?$/,
      "a kindest/node:v<version>[@sha256:<digest>] reference",
    ),
  } as KeySpec<string>,
  dbPassword: {
    type: "string",
    description: "Password of the database owner role; service role passwords derive from it. Secret.",
    secret: true,
    parse: (raw: string) =>
      raw.length >= 12 ? { value: raw } : { allowed: "a secret of at least 12 characters" },
  } as KeySpec<string>,
  grafanaAdminPassword: {
    type: "string",
    description:
      "Grafana admin password. Secret. Unset means the contract's admin/admin, which the smoke test logs in with.",
    secret: true,
    parse: (raw: string) => (raw.length > 0 ? { value: raw } : { allowed: "a non-empty secret" }),
  } as KeySpec<string>,
  region: {
    type: "string",
    description: "aws-ec2-k8s only: AWS region of the EC2 host.",
    parse: matching(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as eu-west-1"),
  } as KeySpec<string>,
  instanceType: {
    type: "string",
    description: "aws-ec2-k8s only: EC2 instance type of the Kubernetes host.",
    parse: matching(/^[a-z0-9]+\.[a-z0-9]+$/, "an EC2 instance type such as t3.xlarge"),
  } as KeySpec<string>,
  registry: {
    type: "string",
    description: "aws-ec2-k8s only: registry the images would be pushed to.",
    parse: matching(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, "a registry host with an optional path"),
  } as KeySpec<string>,
} as const;

type Schema = typeof CONFIG_SCHEMA;
type ValueOf<K extends keyof Schema> = Schema[K] extends KeySpec<infer T> ? T : never;

export interface PlatformConfig {
  profile: Profile;
  clusterName: string;
  namespace: string;
  hostPort: number;
  nodePort: number;
  replicas: number;
  observability: boolean;
  networkPolicies: boolean;
  autoscaling: boolean;
  buildImages: boolean;
  deployEnabled: boolean;
  kindNodeImage: string;
  /** Always secret; never placed in plain outputs. */
  dbPassword: pulumi.Output<string>;
  /** Secret; `admin` when unset (contract 7.3: Grafana admin `admin`/`admin`). */
  grafanaAdminPassword: pulumi.Output<string>;
  /** The aws-ec2-k8s profile's declared shape; present only on that profile. */
  aws?: { region: string; instanceType: string; registry: string };
}

/** A configuration problem; Pulumi prints its message without a stack trace. */
export class ConfigError extends pulumi.RunError {}

function fixCommand(key: string, secret: boolean | undefined): string {
  return `pulumi config set ${secret ? "--secret " : ""}${CONFIG_NAMESPACE}:${key} <value>`;
}

/** Parses and validates the whole configuration; throws one `ConfigError` listing every problem. */
export function parsePlatformConfig(source: ConfigSource): PlatformConfig {
  const problems: string[] = [];
  const read = <K extends keyof Schema>(key: K, required: boolean): ValueOf<K> | undefined => {
    const spec = CONFIG_SCHEMA[key] as KeySpec<ValueOf<K>>;
    const raw = source(`${CONFIG_NAMESPACE}:${key}`);
    if (raw === undefined) {
      if (spec.default !== undefined) return spec.default;
      if (required) {
        problems.push(`${CONFIG_NAMESPACE}:${key} is not set. Fix: ${fixCommand(key, spec.secret)}`);
      }
      return undefined;
    }
    const parsed = spec.parse(raw);
    if ("value" in parsed) return parsed.value;
    const shown = spec.secret ? "the value given" : `"${raw}"`;
    problems.push(
      `${CONFIG_NAMESPACE}:${key} must be ${parsed.allowed}; ${shown} is not. Fix: ${fixCommand(key, spec.secret)}`,
    );
    return undefined;
  };

  const profile = read("profile", true);
  const onAws = profile === "aws-ec2-k8s";
  const config = {
    profile,
    clusterName: read("clusterName", true),
    namespace: read("namespace", true),
    hostPort: read("hostPort", true),
    nodePort: read("nodePort", true),
    replicas: read("replicas", true),
    observability: read("observability", true),
    networkPolicies: read("networkPolicies", true),
    autoscaling: read("autoscaling", true),
    buildImages: read("buildImages", true),
    deployEnabled: read("deployEnabled", true),
    kindNodeImage: read("kindNodeImage", true),
    // Only a stack that may deploy needs database credentials.
    dbPassword: read("dbPassword", !onAws),
    grafanaAdminPassword: read("grafanaAdminPassword", false),
  };
  const aws = onAws
    ? {
        region: read("region", true),
        instanceType: read("instanceType", true),
        registry: read("registry", true),
      }
    : undefined;
  if (problems.length > 0) {
    throw new ConfigError(`invalid stack configuration:\n  - ${problems.join("\n  - ")}`);
  }
  return {
    ...(config as Omit<PlatformConfig, "dbPassword" | "grafanaAdminPassword" | "aws">),
    dbPassword: pulumi.secret(config.dbPassword ?? ""),
    grafanaAdminPassword: pulumi.secret(config.grafanaAdminPassword ?? DEFAULT_GRAFANA_ADMIN_PASSWORD),
    ...(aws ? { aws: aws as PlatformConfig["aws"] } : {}),
  };
}

/** The configuration of the running stack. */
export function readPlatformConfig(): PlatformConfig {
  return parsePlatformConfig((key) => pulumi.runtime.getConfig(key));
}
