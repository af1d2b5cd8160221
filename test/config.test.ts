import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CONFIG_NAMESPACE,
  CONFIG_SCHEMA,
  ConfigError,
  parsePlatformConfig,
} from "../components/config/platform-config";
import { AWS_PROFILE_ENABLEMENT_CRITERIA, deployRefusal } from "../components/config/profile-guard";
import { TEST_DB_PASSWORD, projectFile, stackConfig } from "./support/stack-config";

const source = (values: Record<string, string>) => (key: string) => values[key];

describe("stack configuration", () => {
  it("declares in Pulumi.yaml exactly the keys, types, defaults and descriptions the program validates", () => {
    const project = projectFile();
    expect(project.name).to.equal(CONFIG_NAMESPACE);
    expect(Object.keys(project.config)).to.have.members(Object.keys(CONFIG_SCHEMA));
    for (const [key, spec] of Object.entries(CONFIG_SCHEMA)) {
      const declared = project.config[key];
      expect(declared.type, key).to.equal(spec.type);
      expect(declared.default, key).to.equal("default" in spec ? spec.default : undefined);
      expect(declared.description, key).to.equal(spec.description);
      expect(Boolean(declared.secret), key).to.equal(Boolean("secret" in spec && spec.secret));
    }
  });

  it("documents every key in the README's config table", () => {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    for (const key of Object.keys(CONFIG_SCHEMA)) expect(readme, key).to.contain(`\`traderx:${key}\``);
  });

  it("reads the dev stack file into the design's defaults", () => {
    const config = parsePlatformConfig(
      source(stackConfig("dev", { "traderx:dbPassword": TEST_DB_PASSWORD })),
    );
    expect(config).to.deep.include({
      profile: "kind",
      clusterName: "traderx-state-010",
      namespace: "traderx",
      hostPort: 8080,
      nodePort: 30080,
      replicas: 1,
      observability: true,
      networkPolicies: true,
      autoscaling: false,
      buildImages: true,
      deployEnabled: true,
    });
    expect(config.aws).to.equal(undefined);
  });

  it("reads the aws-ec2-k8s stack's declared shape without needing a database secret", () => {
    const config = parsePlatformConfig(source(stackConfig("aws-ec2-k8s")));
    expect(config).to.deep.include({
      profile: "aws-ec2-k8s",
      replicas: 2,
      autoscaling: true,
      deployEnabled: false,
    });
    expect(config.aws).to.deep.equal({
      region: "eu-west-1",
      instanceType: "t3.xlarge",
      registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/traderx",
    });
  });

  it("reports every bad key at once, naming the key, the allowed values and the fix", () => {
    const bad = stackConfig("dev", {
      "traderx:profile": "eks",
      "traderx:replicas": "two",
      "traderx:nodePort": "8080",
      "traderx:autoscaling": "yes",
      "traderx:dbPassword": "short",
    });
    let message = "";
    try {
      parsePlatformConfig(source(bad));
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).to.contain('traderx:profile must be one of kind, minikube, aws-ec2-k8s; "eks" is not');
    expect(message).to.contain('traderx:replicas must be an integer from 1 to 10; "two" is not');
    expect(message).to.contain('traderx:nodePort must be an integer from 30000 to 32767; "8080" is not');
    expect(message).to.contain('traderx:autoscaling must be true or false; "yes" is not');
    expect(message).to.contain("traderx:dbPassword must be a secret of at least 12 characters");
    expect(message).not.to.contain('"short"');
    expect(message).to.contain("Fix: pulumi config set --secret traderx:dbPassword <value>");
  });

  it("names the command that sets a missing database secret", () => {
    expect(() => parsePlatformConfig(source(stackConfig("dev")))).to.throw(
      ConfigError,
      "traderx:dbPassword is not set. Fix: pulumi config set --secret traderx:dbPassword <value>",
    );
  });

  it("keeps the database password secret", async () => {
    const config = parsePlatformConfig(
      source(stackConfig("dev", { "traderx:dbPassword": TEST_DB_PASSWORD })),
    );
    expect(await pulumi.isSecret(config.dbPassword)).to.equal(true);
  });
});

describe("profile guard", () => {
  it("lets the kind and minikube profiles deploy", () => {
    expect(deployRefusal({ profile: "kind", deployEnabled: true })).to.equal(undefined);
    expect(deployRefusal({ profile: "minikube", deployEnabled: true })).to.equal(undefined);
  });

  it("refuses aws-ec2-k8s, whatever deployEnabled says, listing every enablement criterion", () => {
    for (const deployEnabled of [false, true]) {
      const refusal = deployRefusal({ profile: "aws-ec2-k8s", deployEnabled })!;
      expect(refusal).to.contain("generator support for the aws-ec2-k8s profile is missing");
      for (const criterion of AWS_PROFILE_ENABLEMENT_CRITERIA) expect(refusal).to.contain(criterion);
    }
    expect(deployRefusal({ profile: "aws-ec2-k8s", deployEnabled: false })).to.contain(
      "traderx:deployEnabled is false",
    );
  });

  it("refuses any stack whose deployEnabled is false", () => {
    expect(deployRefusal({ profile: "kind", deployEnabled: false })).to.contain(
      "traderx:deployEnabled is false",
    );
  });
});
