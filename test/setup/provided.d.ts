import type { LocalServicesInfo } from "../../scripts/services/local-services.js";

// What test/setup/global-services.ts provides; read in tests with inject("services").
declare module "vitest" {
  export interface ProvidedContext {
    services: LocalServicesInfo;
    servicesControlUrl: string;
  }
}
