export * from "./errors.js";
export * from "./clip-request.js";
export * from "./keys.js";
export * from "./signing.js";
export * from "./origin-auth.js";
export * from "./contract.js";
export * from "./url-signing.js";
