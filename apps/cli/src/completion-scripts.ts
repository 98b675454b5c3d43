/** Shell completion scripts for bash, zsh and fish, generated from the command table (no runtime lookups). */

export interface CompletionCommand {
  /** Space-separated words, e.g. `users set-role`. */
  words: string;
  description: string;
  /** Long flag names without dashes. */
  flags: readonly string[];
  /** The flags among them that take a value (their value is skipped when finding the command). */
  valueFlags?: readonly string[];
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/** Next words after each prefix ("" = top level), and flags per full command. */
function tables(commands: readonly CompletionCommand[]) {
  const next = new Map<string, Set<string>>();
  for (const command of commands) {
    const words = command.words.split(" ");
    for (let index = 0; index < words.length; index += 1) {
      const prefix = words.slice(0, index).join(" ");
      const set = next.get(prefix) ?? new Set<string>();
      set.add(words[index] ?? "");
      next.set(prefix, set);
    }
  }
  return next;
}

export function bashCompletion(bin: string, commands: readonly CompletionCommand[]): string {
  const next = tables(commands);
  const fn = `_${bin.replaceAll("-", "_")}_complete`;
  const valueFlags = [...new Set(commands.flatMap((command) => command.valueFlags ?? []))].sort();
  const skipValue =
    valueFlags.length === 0
      ? ""
      : `    case "\${COMP_WORDS[i]}" in ${valueFlags.map((flag) => `--${flag}`).join("|")}) ((i++)); continue ;; esac\n`;
  const cases = [...next.entries()].map(
    ([prefix, words]) => `    ${quote(prefix)}) words=${quote([...words].sort().join(" "))} ;;`,
  );
  const flagCases = commands.map(
    (command) =>
      `    ${quote(command.words)}) flags=${quote([...command.flags, "help"].map((flag) => `--${flag}`).join(" "))} ;;`,
  );
  return `# ${bin} completion for bash: add to ~/.bashrc:  eval "$(${bin} completion bash)"
${fn}() {
  local cur prefix="" candidate words="" flags="" i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
${skipValue}    case "\${COMP_WORDS[i]}" in -*) continue ;; esac
    if [[ -z "$prefix" ]]; then candidate="\${COMP_WORDS[i]}"; else candidate="$prefix \${COMP_WORDS[i]}"; fi
    case "$candidate" in
${[...next.keys()]
  .concat(commands.map((command) => command.words))
  .filter((value, index, all) => value !== "" && all.indexOf(value) === index)
  .map((value) => `      ${quote(value)}) prefix="$candidate" ;;`)
  .join("\n")}
      *) break ;;
    esac
  done
  case "$prefix" in
${cases.join("\n")}
  esac
  case "$prefix" in
${flagCases.join("\n")}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -o default -F ${fn} ${bin}
`;
}

export function zshCompletion(bin: string, commands: readonly CompletionCommand[]): string {
  // zsh runs the bash function through bashcompinit, so both shells complete the same way.
  return `# ${bin} completion for zsh: add to ~/.zshrc:  eval "$(${bin} completion zsh)"
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(bin, commands)
  .split("\n")
  .filter((line) => !line.startsWith("#"))
  .join("\n")}`;
}

export function fishCompletion(bin: string, commands: readonly CompletionCommand[]): string {
  const next = tables(commands);
  const lines = [
    `# ${bin} completion for fish: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish`,
  ];
  const descriptionOf = (words: string) =>
    commands.find((command) => command.words === words)?.description.split("\n")[0] ?? words;
  for (const word of [...(next.get("") ?? [])].sort()) {
    lines.push(
      `complete -c ${bin} -f -n __fish_use_subcommand -a ${quote(word)} -d ${quote(descriptionOf(word))}`,
    );
  }
  for (const [prefix, words] of next) {
    if (prefix === "" || prefix.includes(" ")) continue;
    for (const word of [...words].sort()) {
      lines.push(
        `complete -c ${bin} -f -n ${quote(`__fish_seen_subcommand_from ${prefix}`)} -a ${quote(word)} -d ${quote(descriptionOf(`${prefix} ${word}`))}`,
      );
    }
  }
  for (const command of commands) {
    const last = command.words.split(" ").at(-1) ?? "";
    for (const flag of command.flags) {
      lines.push(`complete -c ${bin} -n ${quote(`__fish_seen_subcommand_from ${last}`)} -l ${flag}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
