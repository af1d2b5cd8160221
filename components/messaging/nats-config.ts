/**
 * The NATS server config: client port, monitoring, JetStream on the persistent volume, and the websocket
 * listener browsers reach through the edge's `/nats-ws` (plain ws: TLS ends at the edge, if anywhere).
 */
import { Workload, containerPortOf } from "../catalog";

export interface NatsConfigInput {
  broker: Workload;
  /** Folder on the persistent volume for JetStream's file store. */
  storeDir: string;
  /** JetStream file-store limit, e.g. `1G`; keep it below the PVC size. */
  maxFileStore: string;
  maxMemoryStore: string;
}

export function renderNatsConfig(input: NatsConfigInput): string {
  const port = (name: string) => containerPortOf(input.broker, name);
  return [
    "# Rendered by components/messaging/nats-config.ts from the workload catalog. Do not edit by hand.",
    `server_name: ${input.broker.name}`,
    `port: ${port("client")}`,
    `http_port: ${port("monitor")}`,
    "max_payload: 1MB",
    // Lame duck mode (`nats-server --signal ldm`) lets clients reconnect gradually before a stop.
    'lame_duck_duration: "30s"',
    'lame_duck_grace_period: "10s"',
    "",
    "jetstream {",
    `  store_dir: "${input.storeDir}"`,
    `  max_file_store: ${input.maxFileStore}`,
    `  max_memory_store: ${input.maxMemoryStore}`,
    "}",
    "",
    "websocket {",
    `  port: ${port("ws")}`,
    "  no_tls: true",
    "}",
    "",
  ].join("\n");
}
