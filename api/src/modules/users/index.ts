export { UserService, DEMO_EMAILS } from './users.service.js';
export { UsersResolver } from './users.resolver.js';
export { keepsAnAdmin, lastAdmin } from './last-admin.js';
export { UserType, RoleEnum } from './users.types.js';
export { hashPassword, verifyPassword } from './passwords.js';
