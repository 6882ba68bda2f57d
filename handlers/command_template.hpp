// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "events/catalog.hpp"
#include "events/event.hpp"
#include "handlers/handler.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::handlers {

// A handler's command, split into words and checked against its event (docs/HANDLERS.md).
//
// Grammar (a POSIX shell's word splitting, without any expansion):
// - Blanks (space, tab) separate words; adjacent quoted and unquoted parts join into one word;
//   `""` or `''` alone is an empty word. `#`, `;`, `|`, `>`, `$`, `*`, ... are plain text.
// - '...' is literal. "..." groups; inside it `\"`, `\\`, `\$` and `\`` are escapes and any
//   other backslash is kept. Outside quotes a backslash escapes the next character.
// - An unterminated quote, a trailing lone backslash, an empty command, a newline or another
//   control character (tab excepted) is refused.
// - `<name>` with name matching [a-z0-9_]+ is a placeholder, also inside '...' and "..."
//   (quotes only group); any other `<` is text (`2>&1`, `a<b`, `<Foo>`). `\<name>` outside
//   quotes is the literal text.
// - `%k` (k = 1, 2, ...) is the k-th entry of the handler's params; `%%` is a literal `%`;
//   a `%` not followed by a digit or `%` is text (`date +%F`). `\%1` is the literal text.
// - A word that is exactly one placeholder is one argument ("" when empty); a placeholder
//   inside a word is replaced inside that argument. Values are never split or interpreted.
// - The first word is an absolute path without placeholders.
// - No value becomes code (code_guard.hpp). The command is followed from its first word through
//   known wrappers (env, timeout, nice, ionice, chrt, taskset, setsid, stdbuf, nohup, time,
//   flock, sudo, doas, runuser, unshare, nsenter, chroot, setpriv, prlimit, xargs, busybox,
//   find -exec), by each one's option grammar, to the command it runs. A placeholder is refused
//   where that chain would read it as code or as the choice of code: the program a wrapper runs;
//   a wrapper's options that run code (env -S, flock -c, sudo -s, runuser -c) and everything
//   after them; env NAME=VALUE words; for a known interpreter (sh, bash, dash, zsh, ksh, mksh,
//   rbash, ash, yash, csh, tcsh, fish, python*, perl*, ruby*, php*, node, lua*, tclsh*, awk,
//   gawk, mawk, sed) every word up to and including its code (the script of -c, an -e/-c/-r
//   argument, awk's and sed's program, the script file), and later words where it still reads
//   options (perl -e CODE ARG: put ARG behind --). Anything after su, watch, ssh, sg, script
//   and similar runners (they hand their arguments to a shell) is refused.
//   Not covered: a program the guard does not know, under any name (a site's own wrapper, a
//   symlink to sh called something else, `useradd -s /bin/bash -c <x>` is taken as useradd's
//   comment), and a script that itself evals or runs its arguments (`sh -c '"$@"' sh ...`).
// - No secret parameter at all: argv is readable by every local user (ps). Secrets go to the
//   environment (NEW_X/OLD_X) and `stdin: json`, with `secrets` on.
class CommandTemplate {
public:
  // Splits `handler.command` like a POSIX shell without expansion and validates every
  // `<name>` and `%k` against `def` and `handler.params` (full names, `new_x` or `<new_x>`),
  // and the secrets policy. The error names what is valid, one problem per line.
  static Result<CommandTemplate> parse(const Handler& handler, const events::EventDef& def);

  // The argv for `event`: each value is exactly one argument or part of one, byte for byte.
  std::vector<std::string> render(const events::Event& event) const;
  // As render(), with secret values replaced by "***" (for run records and output).
  std::vector<std::string> render_redacted(const events::Event& event) const;

  const std::string& program() const;

  struct Piece; // literal text or a reference to a parameter
  struct Word {
    std::vector<Piece> pieces;
  };

private:
  std::vector<std::string> render_impl(const events::Event& event, bool redact) const;
  std::vector<Word> m_words;
  std::string m_program;
};

struct CommandTemplate::Piece {
  std::string literal; // used when is_param is false
  bool is_param = false;
  events::Side side = events::Side::new_side;
  std::string name; // base name
  bool secret = false;
  std::string placeholder; // as written, for messages: "<new_login_name>" or "%1"
};

// The environment of docs/HANDLERS.md for a handler process, as "KEY=VALUE" strings: PATH, HOME,
// USER, LOGNAME, SHELL, LANG, EVENT, EVENTMGR_EVENT_ID, EVENTMGR_HANDLER_ID, EVENTMGR_ATTEMPT
// (`attempt`: 1, 2, ... for the run's retries) and NEW_X/OLD_X (secret parameters only when
// `handler.secrets`).
std::vector<std::string> build_environment(const events::Event& event, const events::EventDef& def,
                                           const Handler& handler, const std::string& user_name,
                                           const std::string& home, const std::string& shell,
                                           int attempt = 1);

} // namespace eventmgr::handlers
