export function sourceHash(): string;
export function build(options?: { force?: boolean; quiet?: boolean }): void;
