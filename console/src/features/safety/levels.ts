import type { SafetyLevel } from '@/gql/graphql';

export const LEVELS: readonly SafetyLevel[] = ['BLOCK', 'MASK', 'REVIEW'];

/** One colour per level, everywhere the console shows one (badges, charts). */
export const LEVEL_COLOR: Record<SafetyLevel, string> = { BLOCK: 'red', MASK: 'orange', REVIEW: 'blue' };
