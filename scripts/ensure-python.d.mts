// Types of ensure-python.mjs for the TypeScript that reuses it (infra/scripts/images.ts).
export const BROWSER_PACKAGES: string[];
export const OPS_PACKAGES: string[];
export function ensurePython(opts?: { required?: boolean; packages?: string[]; what?: string }): void;
