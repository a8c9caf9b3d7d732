export { UserService, DEMO_EMAILS } from './users.service.js';
export { UsersResolver } from './users.resolver.js';
export { keepsAnAdmin, lastAdmin } from './last-admin.js';
