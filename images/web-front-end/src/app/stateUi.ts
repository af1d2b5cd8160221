import { requestJson } from "./api/http";

/** The UI metadata served at `/assets/state-ui.json` (contract 4.5). */
export interface StatusCheck {
  id: string;
  label: string;
  url: string;
  method: "GET";
  expectStatus: number;
}

export interface StateUi {
  stateId: string;
  stateTitle: string;
  stateTrack: string;
  generatedAtUtc: string;
  sourceBranch: string;
  apiExplorerUrl: string;
  pubSubInspectorUrl: string;
  features: { statusPage: boolean; apiExplorer: boolean; pubSubInspector: boolean };
  previousStates: { stateId: string; title: string }[];
  statusChecks: StatusCheck[];
}

export const STATE_UI_URL = "/assets/state-ui.json";

export const loadStateUi = () => requestJson<StateUi>(STATE_UI_URL);
