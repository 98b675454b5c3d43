/**
 * Every command, for oclif's explicit discovery (no directory scan or manifest at start-up). Command modules
 * import only oclif and small helpers; clients, tar and the sign-in servers load inside `run()`.
 */
import ApiTokenCreate from "./commands/api-token/create.js";
import ApiTokenList from "./commands/api-token/list.js";
import ApiTokenRevoke from "./commands/api-token/revoke.js";
import AppsInfo from "./commands/apps/info.js";
import Apps from "./commands/apps/list.js";
import AuditTail from "./commands/audit/tail.js";
import AuditVerify from "./commands/audit/verify.js";
import Builds from "./commands/builds.js";
import Completion from "./commands/completion.js";
import Convox from "./commands/convox.js";
import Deploy from "./commands/deploy.js";
import EnvGet from "./commands/env/get.js";
import Env from "./commands/env/list.js";
import EnvSet from "./commands/env/set.js";
import EnvUnset from "./commands/env/unset.js";
import Exec from "./commands/exec.js";
import Login from "./commands/login.js";
import Logout from "./commands/logout.js";
import Logs from "./commands/logs.js";
import Ps from "./commands/ps/list.js";
import PsStop from "./commands/ps/stop.js";
import Rack from "./commands/rack.js";
import Racks from "./commands/racks.js";
import RbacExplain from "./commands/rbac/explain.js";
import Releases from "./commands/releases/list.js";
import ReleasesPromote from "./commands/releases/promote.js";
import Restart from "./commands/restart.js";
import Run from "./commands/run.js";
import Scale from "./commands/scale.js";
import SessionsList from "./commands/sessions/list.js";
import SessionsRevoke from "./commands/sessions/revoke.js";
import Status from "./commands/status.js";
import Switch from "./commands/switch.js";
import UsersAdd from "./commands/users/add.js";
import UsersList from "./commands/users/list.js";
import UsersLock from "./commands/users/lock.js";
import UsersSetRole from "./commands/users/set-role.js";
import UsersUnlock from "./commands/users/unlock.js";
import Whoami from "./commands/whoami.js";

export const COMMANDS = {
  login: Login,
  logout: Logout,
  switch: Switch,
  racks: Racks,
  whoami: Whoami,
  status: Status,
  convox: Convox,
  apps: Apps,
  "apps:info": AppsInfo,
  ps: Ps,
  "ps:stop": PsStop,
  env: Env,
  "env:get": EnvGet,
  "env:set": EnvSet,
  "env:unset": EnvUnset,
  releases: Releases,
  "releases:promote": ReleasesPromote,
  builds: Builds,
  logs: Logs,
  restart: Restart,
  scale: Scale,
  rack: Rack,
  run: Run,
  exec: Exec,
  deploy: Deploy,
  "users:list": UsersList,
  "users:add": UsersAdd,
  "users:set-role": UsersSetRole,
  "users:lock": UsersLock,
  "users:unlock": UsersUnlock,
  "sessions:list": SessionsList,
  "sessions:revoke": SessionsRevoke,
  "api-token:create": ApiTokenCreate,
  "api-token:list": ApiTokenList,
  "api-token:revoke": ApiTokenRevoke,
  "audit:tail": AuditTail,
  "audit:verify": AuditVerify,
  "rbac:explain": RbacExplain,
  completion: Completion,
};
