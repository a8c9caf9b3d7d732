import type { Limits } from './limits.js';
import type { AuditLog, AuditReader, ExportTokens } from './modules/audit/index.js';
import type { AuthService } from './modules/auth/index.js';
import type { DatasetService } from './modules/datasets/index.js';
import type { InferenceMonitor } from './modules/inference/index.js';
import type { ModelRegistry } from './modules/models/index.js';
import type { TrainingService } from './modules/training/index.js';
import type { ChatService, GenerationManager, StreamBus, Upstreams } from './modules/chat/index.js';
import type { PrivacyService } from './modules/privacy/index.js';
import type { RatingService } from './modules/ratings/index.js';
import type { ReviewService } from './modules/review/index.js';
import type { SafetyService } from './modules/safety/index.js';
import type { UserService } from './modules/users/index.js';

/** The services resolvers call, built once per process (server/services.ts) and shared by every request; never the database client. */
export interface Services {
  audit: AuditLog;
  /** The trail as compliance officers read it (pages, verification, exports). */
  auditReader: AuditReader;
  exportTokens: ExportTokens;
  privacy: PrivacyService;
  auth: AuthService;
  users: UserService;
  chat: ChatService;
  ratings: RatingService;
  safety: SafetyService;
  review: ReviewService;
  datasets: DatasetService;
  models: ModelRegistry;
  training: TrainingService;
  upstreams: Upstreams;
  /** The upstreams' health and load, for operators (inferenceServers). */
  inference: InferenceMonitor;
  generations: GenerationManager;
  bus: StreamBus;
  limits: Limits;
}
