/** TraderX on a local Kind cluster: see README.md and components/platform/program.ts. */
import { systemHostProbe } from "./components/cluster/host-prerequisites";
import { traderxProgram } from "./components/platform/program";

export = traderxProgram({ host: systemHostProbe(), repoRoot: __dirname });
