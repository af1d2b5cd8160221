/**
 * `LocalCluster`: the Kind cluster (or minikube profile) the stack runs on, managed through
 * `@pulumi/command`. Creation is idempotent, `pulumi destroy` deletes the cluster, and the kubeconfig is a
 * secret output that feeds the explicit Kubernetes provider every workload uses.
 */
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocalProfile, clusterCommands, clusterEnv, kubernetesVersionOf } from "./cluster-commands";
import { renderKindConfig } from "./kind-config";

const BASH = ["/bin/bash", "-c"];

export interface LocalClusterArgs {
  profile: LocalProfile;
  clusterName: string;
  hostPort: number;
  nodePort: number;
  kindNodeImage: string;
}

export class LocalCluster extends pulumi.ComponentResource {
  public readonly clusterName: string;
  /** The rendered kind config (also used for minikube's port mapping values). */
  public readonly kindConfig: string;
  /** Id of the cluster's node container: changes whenever the cluster is recreated. */
  public readonly identity: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  private readonly profile: LocalProfile;
  private readonly created: command.local.Command;

  constructor(name: string, args: LocalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("traderx:cluster:LocalCluster", name, {}, opts);
    this.profile = args.profile;
    this.clusterName = args.clusterName;
    this.kindConfig = renderKindConfig({
      clusterName: args.clusterName,
      nodeImage: args.kindNodeImage,
      hostPort: args.hostPort,
      nodePort: args.nodePort,
    });
    const commands = clusterCommands(args.profile);
    const environment = clusterEnv(args.profile, {
      clusterName: args.clusterName,
      hostPort: args.hostPort,
      nodePort: args.nodePort,
      kindConfig: this.kindConfig,
      kubernetesVersion: kubernetesVersionOf(args.kindNodeImage),
    });

    this.created = new command.local.Command(
      `${name}-${args.profile}`,
      { create: commands.create, delete: commands.delete, environment, interpreter: BASH },
      // A changed config recreates the cluster: the old one must go first, or the idempotent create would
      // keep it and the delete of the replaced resource would then remove it.
      { parent: this, deleteBeforeReplace: true },
    );
    this.identity = this.created.stdout.apply((out) => out.trim());

    const kubeconfig = new command.local.Command(
      `${name}-kubeconfig`,
      {
        create: commands.kubeconfig,
        environment: { CLUSTER_NAME: args.clusterName },
        interpreter: BASH,
        triggers: [this.identity],
      },
      { parent: this, additionalSecretOutputs: ["stdout"] },
    );
    this.kubeconfig = pulumi.secret(kubeconfig.stdout);

    this.provider = new k8s.Provider(
      `${name}-kubernetes`,
      {
        kubeconfig: this.kubeconfig,
        // `pulumi destroy` deletes the cluster last; if it is gone already, its objects went with it.
        deleteUnreachable: true,
      },
      { parent: this },
    );

    this.registerOutputs({
      clusterName: this.clusterName,
      identity: this.identity,
      kubeconfig: this.kubeconfig,
    });
  }

  /**
   * Loads a locally built image into the cluster. Runs again when the image id or the cluster's identity
   * changes; the load itself skips images the node already has.
   */
  loadImage(name: string, image: pulumi.Input<string>, imageId: pulumi.Input<string>): command.local.Command {
    return new command.local.Command(
      name,
      {
        create: clusterCommands(this.profile).loadImage,
        environment: { CLUSTER_NAME: this.clusterName, IMAGE: image },
        interpreter: BASH,
        triggers: [imageId, this.identity],
      },
      { parent: this, dependsOn: [this.created] },
    );
  }
}
