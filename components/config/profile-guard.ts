/**
 * The profile guard: stops a stack that must not deploy before the program declares a single resource.
 *
 * The aws-ec2-k8s profile is declared (region, instance type, registry, replicas, autoscaling) so that its
 * intended shape is reviewed with the code, but this program has no generator for it yet.
 */
import { PlatformConfig, ConfigError } from "./platform-config";

/** What enabling the aws-ec2-k8s profile requires (the state-010 deployment profile planning). */
export const AWS_PROFILE_ENABLEMENT_CRITERIA = [
  "generated Kubernetes deploy assets for the profile (this program only generates the kind and minikube paths)",
  "host prerequisite checks for the EC2 host (docker, Kubernetes distribution, registry access, open ports)",
  "profile smoke tests that pass against a deployed aws-ec2-k8s stack",
];

/** Why the stack may not deploy, or undefined when it may. */
export function deployRefusal(config: Pick<PlatformConfig, "profile" | "deployEnabled">): string | undefined {
  const reasons: string[] = [];
  if (!config.deployEnabled) reasons.push("traderx:deployEnabled is false");
  if (config.profile === "aws-ec2-k8s")
    reasons.push("generator support for the aws-ec2-k8s profile is missing");
  if (reasons.length === 0) return undefined;
  const criteria = AWS_PROFILE_ENABLEMENT_CRITERIA.map((c, i) => `  ${i + 1}. ${c}`).join("\n");
  return (
    `refusing to deploy the ${config.profile} profile: ${reasons.join(" and ")}.\n` +
    `Nothing was created. Enabling it requires:\n${criteria}\n` +
    `and then setting traderx:deployEnabled to true.`
  );
}

/** Throws the refusal as a config error; call it before declaring any resource. */
export function guardProfile(config: Pick<PlatformConfig, "profile" | "deployEnabled">): void {
  const refusal = deployRefusal(config);
  if (refusal) throw new ConfigError(refusal);
}
