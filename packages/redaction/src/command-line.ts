// Credentials passed as command-line options (an exec/run `Command`, a logged shell line): the option and the user
// name stay, the secret goes. Every pattern starts at whitespace or the text's start, so a scan stays linear.

// A value after an option: a quoted string (its quotes kept) or a run of non-space characters.
const VALUE = String.raw`(?:'[^'\n]*'|"[^"\n]*"|[^\s'"]\S*)`;

// "--password Hunter2", "--client-secret=…", "--token 'x'": a long option whose name is sensitive, then its value.
const LONG_OPTION = new RegExp(String.raw`(?<!\S)--([A-Za-z][\w.-]{0,63})([ \t]+|=)(${VALUE})`, "g");
// Options that take no value ("--no-password") or whose value is a location, not the secret ("--token-file").
const NOT_A_SECRET_VALUE = /^no-|[-_.](?:file|path|dir)$/i;

// curl / wget style "-u user:password", "-uuser:password", "--user=user:password", "--proxy-user …".
const USER_PASSWORD = new RegExp(String.raw`(?<!\S)(-u[ \t]*|--(?:proxy-)?user(?:[ \t]+|=))(${VALUE})`, "g");
const DIGITS = /^\d+$/;

// MySQL-family "-u root -pHunter2": a glued -p is the password only in a mysql-like command line, i.e. after a
// mysql-family program name or a "-u user" option with a non-numeric user ("-p 3306", "docker run -u 1000
// -p8080:80", "find -user x -perm 644" are not).
const MYSQL_LIKE =
  /(?<![\w/.-])(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mysqlpump|mariadb(?:-dump|-admin)?)(?![\w.-])|(?<!\S)-u[ \t]+(?!\d+(?![^\s:]))[^\s-]/;
const GLUED_PASSWORD = new RegExp(String.raw`(?<!\S)-p(${VALUE})`, "g");

function replaceValue(value: string, replacement: string): string {
  if (value === replacement || value.startsWith("-")) return value;
  const quote = value[0];
  const quoted = (quote === "'" || quote === '"') && value.length >= 2 && value.at(-1) === quote;
  return quoted ? `${quote}${replacement}${quote}` : replacement;
}

export function replaceCommandLineCredentials(
  text: string,
  replacement: string,
  isSensitive: (name: string) => boolean,
): string {
  if (!text.includes("-")) return text;
  let result = text.replace(LONG_OPTION, (whole, name: string, separator: string, value: string) =>
    NOT_A_SECRET_VALUE.test(name) || !isSensitive(name)
      ? whole
      : `--${name}${separator}${replaceValue(value, replacement)}`,
  );
  result = result.replace(USER_PASSWORD, (whole, option: string, value: string) => {
    const quote = value[0] === "'" || value[0] === '"' ? value[0] : "";
    const inner =
      quote && value.length >= 2 && value.at(-1) === quote ? value.slice(1, -1) : value.slice(quote.length);
    const colon = inner.indexOf(":");
    if (colon <= 0 || colon === inner.length - 1) return whole;
    const user = inner.slice(0, colon);
    const password = inner.slice(colon + 1);
    // A numeric pair is a uid:gid ("docker run -u 1000:1000"), not a credential.
    if (password === replacement || (DIGITS.test(user) && DIGITS.test(password))) return whole;
    return `${option}${quote}${user}:${replacement}${quote}`;
  });
  const mysqlLike = MYSQL_LIKE.exec(result);
  if (mysqlLike === null) return result;
  const tail = result
    .slice(mysqlLike.index)
    .replace(GLUED_PASSWORD, (_whole, value: string) => `-p${replaceValue(value, replacement)}`);
  return result.slice(0, mysqlLike.index) + tail;
}
