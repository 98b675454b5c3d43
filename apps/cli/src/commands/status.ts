import Whoami from "./whoami.js";

export default class Status extends Whoami {
  static override description = "Same as whoami: user, roles, rack and session expiry";
}
