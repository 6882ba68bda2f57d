// SPDX-License-Identifier: MIT
#include "handlers/code_guard.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::handlers {
namespace {

using Word = CommandTemplate::Word;
using Piece = CommandTemplate::Piece;

enum class Kind {
  shell,       // sh -c SCRIPT or sh FILE: the first operand is the script (with -c) or its file
  interpreter, // python, perl, ...: code in an option's argument, else the first operand is the script file
  filter,      // awk, sed: code in an option's argument, else the first operand is the program text
  wrapper,     // runs the command that follows its options and `operands` fixed operands
  opaque,      // hands what follows to a shell or reads it as code: no placeholder may follow it
  find,        // find ... -exec COMMAND ... ;
};

// How one program reads its argv. Option keys are a short option's letter or a long option's
// name; lists are separated by blanks.
struct Spec {
  std::string_view names = {};
  Kind kind = Kind::opaque;
  bool versioned = false;      // also the name followed by a version: python3.11, perl5.36.0
  std::string_view flags = {}; // short options without an argument
  std::string_view args = {};  // short options with an argument: the rest of the word or the next word
  std::string_view glued = {}; // short options whose optional argument is the rest of the word
  std::string_view longs = {}; // long options; a trailing '=' marks one that takes an argument
  std::string_view code = {};  // options whose argument is code or chooses it; wrappers: what follows is code
  std::string_view no_script = {}; // options after which the first operand is not the script or program
  std::string_view ends = {};      // options after whose argument no more options are read
  std::string_view risky = {}; // wrappers: options whose argument chooses what runs (root, directory, shell)
  std::string_view safe = {};  // interpreters: options whose separate argument is only data (awk -v)
  int operands = 0;            // wrappers: operands before the command
  bool operand_risky = false;  // wrappers: those operands choose what runs (chroot's new root)
  bool permutes = false;       // reads options anywhere before "--" (GNU getopt without '+')
  bool assignments = false;    // NAME=VALUE words before the command set the environment
  std::string_view why = "hands its arguments to a shell or reads them as code"; // opaque programs
};

constexpr std::string_view k_shell_flags = "abcdefghijklmnpqrstuvwxyzABCDEFGHIJKLMNPQRSTUVWXYZ0123456789";

// Kept in one table so that what the guard knows can be read in one place.
const std::array k_specs{
    Spec{.names = "sh bash dash ash zsh ksh ksh93 mksh pdksh oksh rbash yash posh csh tcsh",
         .kind = Kind::shell,
         .flags = k_shell_flags,
         .args = "oO",
         .longs = "rcfile= init-file= emulate=",
         .code = "c",
         .no_script = "s"},
    Spec{.names = "fish",
         .kind = Kind::shell,
         .flags = "hPilNnv",
         .args = "cCpdofD",
         .longs =
             "command= init-command= profile= debug= debug-output= features= interactive login no-execute "
             "no-config private print-rusage-self version help",
         .code = "c C command init-command",
         .no_script = "c command"},
    Spec{.names = "python python2 python3 pypy pypy3",
         .kind = Kind::interpreter,
         .versioned = true,
         .flags = "bBdEhiIOPqRsSuvVx?",
         .args = "WXcm",
         .longs = "help version help-env help-xoptions help-all check-hash-based-pycs=",
         .code = "c m",
         .no_script = "c m",
         .ends = "c m"},
    Spec{.names = "perl",
         .kind = Kind::interpreter,
         .versioned = true,
         .flags = "acnpsStTuUvwWXhVg",
         .args = "eEI",
         .glued = "0CdDFilMmx",
         .longs = "help version",
         .code = "e E I M m",
         .no_script = "e E"},
    Spec{.names = "ruby",
         .kind = Kind::interpreter,
         .versioned = true,
         .flags = "acdhlnpsSvwy",
         .args = "eEICrX",
         .glued = "WT0FiKx",
         .longs = "help version verbose copyright yydebug jit disable= enable= encoding= external-encoding= "
                  "internal-encoding= dump= backtrace-limit= crash-report=",
         .code = "e r I",
         .no_script = "e"},
    Spec{.names = "php",
         .kind = Kind::interpreter,
         .versioned = true,
         .flags = "aCHhilmnqsvwe",
         .args = "cdfrBRFEtSz",
         .longs =
             "php-ini= no-php-ini define= info interactive file= lint modules run= process-begin= "
             "process-code= process-file= process-end= hide-args syntax-highlight highlight version strip "
             "zend-extension= rf= rc= re= rz= ri= ini help",
         .code =
             "c d f r B R F E z php-ini define file run process-begin process-code process-file process-end "
             "zend-extension",
         .no_script = "r B R E f F run process-begin process-code process-end file process-file"},
    Spec{.names = "node nodejs",
         .kind = Kind::interpreter,
         .versioned = true,
         .flags = "hvic",
         .args = "eprC",
         .longs = "eval= print= require= import= loader= experimental-loader= input-type= conditions= title= "
                  "env-file= check interactive help version no-warnings no-deprecation enable-source-maps "
                  "trace-warnings trace-deprecation trace-uncaught throw-deprecation pending-deprecation "
                  "preserve-symlinks preserve-symlinks-main abort-on-uncaught-exception expose-gc inspect "
                  "inspect-brk experimental-modules experimental-vm-modules unhandled-rejections= "
                  "max-old-space-size= stack-size= test watch",
         .code = "e p r eval print require import loader experimental-loader",
         .no_script = "e p eval print"},
    Spec{.names = "lua luajit",
         .kind = Kind::interpreter,
         .versioned = true,
         .flags = "iEvW",
         .args = "el",
         .code = "e l"},
    Spec{.names = "tclsh", .kind = Kind::interpreter, .versioned = true},
    Spec{.names = "awk gawk mawk nawk original-awk",
         .kind = Kind::filter,
         .flags = "bcCgMnNOPrsStVYh",
         .args = "FvfeEilW",
         .glued = "dDLop",
         .longs =
             "field-separator= assign= file= source= exec= include= load= characters-as-bytes traditional "
             "copyright dump-variables debug gen-pot help lint non-decimal-data no-optimize optimize posix "
             "pretty-print profile re-interval sandbox use-lc-numeric version bignum csv",
         .code = "f e E i l file source exec include load",
         .no_script = "f e E file source exec",
         .ends = "E exec",
         .safe = "v assign"},
    Spec{.names = "sed gsed",
         .kind = Kind::filter,
         .flags = "nrEsuzb",
         .args = "efl",
         .glued = "i",
         .longs =
             "expression= file= in-place line-length= null-data zero-terminated quiet silent "
             "regexp-extended separate sandbox unbuffered posix debug follow-symlinks binary help version",
         .code = "e f expression file",
         .no_script = "e f expression file",
         .permutes = true},
    Spec{.names = "env",
         .kind = Kind::wrapper,
         .flags = "iv0",
         .args = "uCSP",
         .longs = "ignore-environment null unset= chdir= split-string= debug block-signal default-signal "
                  "ignore-signal list-signal-handling help version",
         .code = "S split-string",
         .risky = "C P chdir",
         .assignments = true,
         .why = "splits a string into a command"},
    Spec{.names = "timeout",
         .kind = Kind::wrapper,
         .flags = "fpv",
         .args = "ks",
         .longs = "kill-after= signal= foreground preserve-status verbose help version",
         .operands = 1},
    Spec{.names = "nice",
         .kind = Kind::wrapper,
         .flags = "0123456789",
         .args = "n",
         .longs = "adjustment= help version"},
    Spec{.names = "ionice",
         .kind = Kind::wrapper,
         .flags = "th",
         .args = "cnpPu",
         .longs = "class= classdata= pid= pgid= uid= ignore help version"},
    Spec{.names = "chrt",
         .kind = Kind::wrapper,
         .flags = "abdefimoprRvhV",
         .args = "TPD",
         .longs =
             "all-tasks batch deadline ext fifo idle other rr reset-on-fork max pid verbose sched-runtime= "
             "sched-period= sched-deadline= help version",
         .operands = 1},
    Spec{.names = "taskset",
         .kind = Kind::wrapper,
         .flags = "acphV",
         .longs = "all-tasks cpu-list pid help version",
         .operands = 1},
    Spec{.names = "setsid", .kind = Kind::wrapper, .flags = "cfwhV", .longs = "ctty fork wait help version"},
    Spec{.names = "stdbuf",
         .kind = Kind::wrapper,
         .args = "ioe",
         .longs = "input= output= error= help version"},
    Spec{.names = "nohup", .kind = Kind::wrapper, .longs = "help version"},
    Spec{.names = "busybox", .kind = Kind::wrapper},
    Spec{.names = "unshare",
         .kind = Kind::wrapper,
         .flags = "frchV",
         .args = "SGRw",
         .glued = "muinpUCT",
         .longs =
             "mount uts ipc net pid user cgroup time fork kill-child mount-proc map-root-user "
             "map-current-user map-auto map-user= map-group= map-users= map-groups= propagation= setgroups= "
             "keep-caps setuid= setgid= root= wd= monotonic= boottime= help version",
         .risky = "R w root wd"},
    Spec{
        .names = "nsenter",
        .kind = Kind::wrapper,
        .flags = "FZaehV",
        .args = "tSG",
        .glued = "muinpUCTrw",
        .longs =
            "all target= mount uts ipc net pid user cgroup time setuid= setgid= preserve-credentials root wd "
            "no-fork follow-context env help version",
        .risky = "r w root wd"},
    Spec{.names = "chroot",
         .kind = Kind::wrapper,
         .longs = "userspec= groups= skip-chdir help version",
         .operands = 1,
         .operand_risky = true},
    Spec{.names = "setpriv",
         .kind = Kind::wrapper,
         .flags = "dhV",
         .longs =
             "reuid= regid= ruid= rgid= euid= egid= groups= inh-caps= ambient-caps= bounding-set= "
             "securebits= pdeathsig= selinux-label= apparmor-profile= landlock-access= landlock-rule= nnp "
             "no-new-privs clear-groups keep-groups init-groups reset-env dump help version"},
    Spec{
        .names = "prlimit",
        .kind = Kind::wrapper,
        .flags = "hV",
        .args = "po",
        .glued = "cdefilmnqrstuvxy",
        .longs =
            "pid= output= noheadings raw verbose core data nice fsize sigpending memlock rss nofile msgqueue "
            "rtprio stack cpu nproc as locks rttime help version"},
    Spec{.names = "time",
         .kind = Kind::wrapper,
         .flags = "pvaqV",
         .args = "fo",
         .longs = "format= output= append portability verbose quiet help version"},
    Spec{.names = "flock",
         .kind = Kind::wrapper,
         .flags = "sxenouFhV",
         .args = "wE",
         .longs =
             "shared exclusive nonblock nb close no-fork unlock timeout= wait= conflict-exit-code= verbose "
             "help version",
         .operands = 1,
         .why = "runs the string through a shell"},
    Spec{.names = "sudo",
         .kind = Kind::wrapper,
         .flags = "AbEHiKklnPSsVveN",
         .args = "CDghpRrtTUu",
         .longs =
             "askpass background bell close-from= chdir= preserve-env group= set-home help host= login "
             "remove-timestamp reset-timestamp list non-interactive preserve-groups prompt= chroot= role= "
             "stdin shell type= command-timeout= other-user= user= version validate edit",
         .code = "s i e shell login edit",
         .risky = "D R chdir chroot",
         .assignments = true,
         .why = "runs its command through a shell"},
    Spec{.names = "doas",
         .kind = Kind::wrapper,
         .flags = "nsL",
         .args = "uC",
         .code = "s",
         .risky = "C",
         .why = "runs a shell"},
    Spec{.names = "runuser",
         .kind = Kind::wrapper,
         .flags = "flmpPhV",
         .args = "ugGswc",
         .longs =
             "user= group= supp-group= shell= command= session-command= login fast preserve-environment pty "
             "whitelist-environment= help version",
         .code = "c command session-command",
         .risky = "s shell",
         .permutes = true,
         .why = "runs its command through the user's shell"},
    Spec{.names = "xargs",
         .kind = Kind::wrapper,
         .flags = "0prtxo",
         .args = "adEILnPs",
         .glued = "eil",
         .longs =
             "null arg-file= delimiter= eof replace max-lines max-args= max-procs= max-chars= interactive "
             "verbose exit no-run-if-empty show-limits process-slot-var= open-tty help version"},
    Spec{.names = "find", .kind = Kind::find},
    Spec{.names = "su", .kind = Kind::opaque, .why = "runs its command through the user's shell"},
    Spec{.names = "watch sg", .kind = Kind::opaque, .why = "runs its arguments through sh -c"},
    Spec{.names = "ssh", .kind = Kind::opaque, .why = "runs its arguments through the remote shell"},
    Spec{.names = "script", .kind = Kind::opaque, .why = "runs its command through a shell"},
    Spec{.names =
             "pkexec parallel at batch systemd-run strace ltrace valgrind firejail bwrap cgexec numactl "
             "setarch linux32 linux64 fakeroot eatmydata proot chpst runcon faketime torsocks proxychains "
             "proxychains4 dbus-run-session xvfb-run tmux screen start-stop-daemon daemonize nocache trickle "
             "cpulimit sshpass expect gdb vi vim nvim ex emacs make gmake wish Rscript julia pwsh guile "
             "racket escript erl",
         .kind = Kind::opaque},
};

bool in_list(std::string_view list, std::string_view key) {
  while (!list.empty()) {
    const auto blank = list.find(' ');
    if (list.substr(0, blank) == key) {
      return true;
    }
    list = blank == std::string_view::npos ? std::string_view() : list.substr(blank + 1);
  }
  return false;
}

bool is_version(std::string_view text) {
  return !text.empty() && text.front() >= '0' && text.front() <= '9' &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

const Spec* find_spec(std::string_view name) {
  for (const Spec& spec : k_specs) {
    std::string_view list = spec.names;
    while (!list.empty()) {
      const auto blank = list.find(' ');
      const std::string_view candidate = list.substr(0, blank);
      if (name == candidate ||
          (spec.versioned && name.starts_with(candidate) && is_version(name.substr(candidate.size())))) {
        return &spec;
      }
      list = blank == std::string_view::npos ? std::string_view() : list.substr(blank + 1);
    }
  }
  return nullptr;
}

// A long option by its full name or an unambiguous prefix (GNU getopt accepts both).
struct LongOption {
  std::string name;
  bool takes_argument = false;
};
std::optional<LongOption> find_long(std::string_view longs, std::string_view name) {
  std::optional<LongOption> prefix_match;
  int prefix_matches = 0;
  while (!longs.empty()) {
    const auto blank = longs.find(' ');
    std::string_view entry = longs.substr(0, blank);
    const bool takes = entry.ends_with('=');
    if (takes) {
      entry.remove_suffix(1);
    }
    if (entry == name) {
      return LongOption{std::string(entry), takes};
    }
    if (!name.empty() && entry.starts_with(name)) {
      prefix_match = LongOption{std::string(entry), takes};
      ++prefix_matches;
    }
    longs = blank == std::string_view::npos ? std::string_view() : longs.substr(blank + 1);
  }
  return prefix_matches == 1 ? prefix_match : std::nullopt;
}

bool has_placeholder(const Word& word) {
  return std::any_of(word.pieces.begin(), word.pieces.end(),
                     [](const Piece& piece) { return piece.is_param; });
}

std::string display(const Word& word) {
  std::string out;
  for (const auto& piece : word.pieces) {
    out += piece.is_param ? piece.placeholder : piece.literal;
  }
  return out;
}

// The literal text before the word's first placeholder.
std::string literal_prefix(const Word& word) {
  std::string out;
  for (const auto& piece : word.pieces) {
    if (piece.is_param) {
      break;
    }
    out += piece.literal;
  }
  return out;
}

std::string basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string variable_of(const Piece& piece) {
  std::string out = piece.side == events::Side::new_side ? "$NEW_" : "$OLD_";
  for (const char c : piece.name) {
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

// What one option word says, read as getopt would.
struct OptionWord {
  std::vector<std::string> keys;        // every option in the word
  std::string argument_of;              // the option that takes an argument, if any
  bool argument_next = false;           // ... in the next word
  bool placeholder_in_argument = false; // the word's first placeholder is inside that argument
  std::string unknown;                  // an option the spec does not know, as written
};

// `prefix` is the word's literal text before its first placeholder (the whole word if none);
// `cut` says the word goes on with a placeholder.
OptionWord read_option(const Spec& spec, std::string_view prefix, bool cut) {
  OptionWord out;
  if (prefix.starts_with("--")) {
    const auto equals = prefix.find('=');
    const std::string_view name =
        prefix.substr(2, equals == std::string_view::npos ? prefix.npos : equals - 2);
    if (cut && equals == std::string_view::npos) {
      out.unknown = std::string(prefix) + "...";
      return out;
    }
    auto found = find_long(spec.longs, name);
    if (!found && spec.kind == Kind::shell && equals == std::string_view::npos) {
      found = LongOption{std::string(name), false}; // a shell's other long options are flags
    }
    if (!found) {
      out.unknown = "--" + std::string(name);
      return out;
    }
    out.keys.push_back(found->name);
    if (equals != std::string_view::npos) {
      out.argument_of = found->name;
      out.placeholder_in_argument = cut;
    } else if (found->takes_argument) {
      out.argument_of = found->name;
      out.argument_next = true;
    }
    return out;
  }
  for (std::size_t i = 1; i < prefix.size(); ++i) {
    const char c = prefix[i];
    const std::string key(1, c);
    if (spec.flags.find(c) != std::string_view::npos) {
      out.keys.push_back(key);
    } else if (spec.args.find(c) != std::string_view::npos || spec.glued.find(c) != std::string_view::npos) {
      out.keys.push_back(key);
      out.argument_of = key;
      if (i + 1 < prefix.size() || cut) {
        out.placeholder_in_argument = cut;
      } else {
        out.argument_next = spec.args.find(c) != std::string_view::npos;
      }
      return out;
    } else {
      out.unknown = std::string("-") + c;
      return out;
    }
  }
  if (cut) {
    out.unknown = std::string(prefix) + "..."; // a placeholder among the option letters
  }
  return out;
}

class Guard {
public:
  explicit Guard(const std::vector<Word>& words) : m_words(words) {}

  std::vector<std::string> run() {
    follow(0);
    return std::move(m_problems);
  }

private:
  void follow(std::size_t at);
  void interpreter(std::size_t at, const Spec& spec, const std::string& name);
  void wrapper(std::size_t at, const Spec& spec, const std::string& name);
  void find(std::size_t at);
  void opaque_from(std::size_t from, const std::string& who, std::string_view why);
  void unknown_from(std::size_t from, const std::string& name, const std::string& option);
  void dash_values_from(std::size_t from, const std::string& name);

  // One message per placeholder of word `index`; `make` gets the placeholder and the variable.
  template <typename Make> void report(std::size_t index, Make make) {
    for (const auto& piece : m_words[index].pieces) {
      if (piece.is_param) {
        add(make(piece.placeholder + " in word " + std::to_string(index + 1), variable_of(piece), piece));
      }
    }
  }
  void add(std::string message) {
    if (std::find(m_problems.begin(), m_problems.end(), message) == m_problems.end()) {
      m_problems.push_back(std::move(message));
    }
  }
  void code(std::size_t index, const std::string& name, const std::string& what) {
    report(index, [&](const std::string& where, const std::string& variable, const Piece&) {
      return "placeholder " + where + " would be run as code by " + name + " (" + what +
             "); pass the value as a separate argument after the code, or read " + variable +
             " from the environment";
    });
  }
  void shell_code(std::size_t index, const std::string& name) {
    report(index, [&](const std::string&, const std::string& variable, const Piece& piece) {
      return "placeholder " + piece.placeholder + " inside the script of " + name +
             " -c would be parsed as shell code; pass values as positional arguments and use \"$1\" instead, "
             "e.g. /bin/sh -c 'logger -- \"$1\"' sh " +
             piece.placeholder + ", or read " + variable + " from the environment";
    });
  }
  void program(std::size_t index, const std::string& name, const std::string& what) {
    report(index, [&](const std::string& where, const std::string&, const Piece&) {
      return "placeholder " + where + " would choose the " + what + " that " + name + " runs; name the " +
             what + " literally and pass values as its arguments";
    });
  }
  void option(std::size_t index, const std::string& name, std::string_view instead) {
    report(index, [&](const std::string& where, const std::string& variable, const Piece&) {
      return "placeholder " + where + " stands where " + name +
             " still reads options: a value starting with - would be an option (such as one that runs "
             "code); " +
             std::string(instead) + ", or read " + variable + " from the environment";
    });
  }

  const std::vector<Word>& m_words;
  std::vector<std::string> m_problems;
};

constexpr std::string_view k_after_script = "put it after the script file or behind a literal --";
constexpr std::string_view k_after_command = "put it behind a literal -- before the command";

void Guard::follow(std::size_t at) {
  const std::string name = basename_of(display(m_words[at]));
  const Spec* spec = find_spec(name);
  if (spec == nullptr) {
    return; // not a program the guard knows: its arguments are its own business
  }
  switch (spec->kind) {
  case Kind::shell:
  case Kind::interpreter:
  case Kind::filter:
    interpreter(at, *spec, name);
    break;
  case Kind::wrapper:
    wrapper(at, *spec, name);
    break;
  case Kind::find:
    find(at);
    break;
  case Kind::opaque:
    opaque_from(at + 1, name, spec->why);
    break;
  }
}

void Guard::opaque_from(std::size_t from, const std::string& who, std::string_view why) {
  for (std::size_t j = from; j < m_words.size(); ++j) {
    report(j, [&](const std::string& where, const std::string& variable, const Piece&) {
      return "placeholder " + where + " follows " + who + ", which " + std::string(why) +
             ": the value may become code; read " + variable + " from the environment in a script instead";
    });
  }
}

void Guard::unknown_from(std::size_t from, const std::string& name, const std::string& option) {
  for (std::size_t j = from; j < m_words.size(); ++j) {
    report(j, [&](const std::string& where, const std::string& variable, const Piece&) {
      return "placeholder " + where + ": eventmgr does not know the option '" + option + "' of " + name +
             ", so it cannot tell whether the value would be code or an option; write the option as "
             "--name=VALUE if it takes one, or read " +
             variable + " from the environment";
    });
  }
}

// Words after `from` that a program reading options anywhere (GNU getopt) would take as an
// option when the value starts with '-'.
void Guard::dash_values_from(std::size_t from, const std::string& name) {
  for (std::size_t j = from; j < m_words.size(); ++j) {
    const Word& word = m_words[j];
    if (!has_placeholder(word) && display(word) == "--") {
      return;
    }
    const std::string prefix = literal_prefix(word);
    if (has_placeholder(word) && (prefix.empty() || prefix.front() == '-')) {
      option(j, name, k_after_command);
    }
  }
}

void Guard::interpreter(std::size_t at, const Spec& spec, const std::string& name) {
  const bool shell = spec.kind == Kind::shell;
  bool reading_options = true;  // the program still takes a word starting with - as an option
  bool operand_pending = true;  // the next operand is the script, its file or the program text
  bool operand_is_code = false; // sh -c: the first operand is the script itself
  for (std::size_t j = at + 1; j < m_words.size(); ++j) {
    const Word& word = m_words[j];
    const bool placeholder = has_placeholder(word);
    const std::string prefix = literal_prefix(word);
    const std::string text = placeholder ? std::string() : prefix;
    if (reading_options && !placeholder && (text == "--" || (shell && text == "-"))) {
      reading_options = false;
      continue;
    }
    if (reading_options && !placeholder && text == "-") { // the program comes from stdin
      operand_pending = false;
      reading_options = spec.permutes;
      continue;
    }
    const bool option_word =
        reading_options && prefix.size() > 1 && (prefix.front() == '-' || (shell && prefix.front() == '+'));
    if (option_word) {
      const OptionWord read = read_option(spec, prefix, placeholder);
      if (!read.unknown.empty() && !placeholder) {
        unknown_from(j + 1, name, read.unknown);
        return;
      }
      for (const auto& key : read.keys) {
        if (shell && key == "c" && spec.args.find('c') == std::string_view::npos) {
          operand_is_code = true;
        } else if (in_list(spec.no_script, key)) {
          operand_pending = false;
        }
      }
      if (placeholder) {
        if (read.placeholder_in_argument && in_list(spec.code, read.argument_of)) {
          code(j, name,
               "the argument of " + std::string(read.argument_of.size() > 1 ? "--" : "-") + read.argument_of);
        } else {
          option(j, name, k_after_script);
        }
        continue;
      }
      if (read.argument_next && j + 1 < m_words.size()) {
        ++j;
        const std::string option_name = (read.argument_of.size() > 1 ? "--" : "-") + read.argument_of;
        if (has_placeholder(m_words[j])) {
          if (in_list(spec.code, read.argument_of)) {
            code(j, name, "the argument of " + option_name);
          } else if (!in_list(spec.safe, read.argument_of)) {
            report(j, [&](const std::string& where, const std::string& variable, const Piece&) {
              return "placeholder " + where + " is the argument of " + option_name + ", which " + name +
                     " reads before its code (an option's argument may load code); read " + variable +
                     " from the environment instead";
            });
          }
        }
      }
      if (!read.argument_of.empty() && in_list(spec.ends, read.argument_of)) {
        reading_options = false;
      }
      continue;
    }
    if (operand_pending) {
      if (placeholder) {
        if (shell && operand_is_code) {
          shell_code(j, name);
        } else if (spec.kind == Kind::filter) {
          code(j, name, "its program text");
        } else {
          program(j, name, "script file");
        }
      }
      operand_pending = false;
      reading_options = reading_options && spec.permutes;
      continue;
    }
    // An argument of the script, or an input file.
    if (placeholder && reading_options && (prefix.empty() || prefix.front() == '-')) {
      option(j, name, k_after_script);
    }
    reading_options = reading_options && spec.permutes;
  }
}

void Guard::wrapper(std::size_t at, const Spec& spec, const std::string& name) {
  bool reading_options = true;
  bool after_dashdash = false;
  bool user_given = false; // runuser -u USER runs a command; without it, a shell
  int operands = spec.operands;
  for (std::size_t j = at + 1; j < m_words.size(); ++j) {
    const Word& word = m_words[j];
    const bool placeholder = has_placeholder(word);
    const std::string prefix = literal_prefix(word);
    const std::string text = placeholder ? std::string() : prefix;
    if (reading_options && !placeholder && text == "--") {
      reading_options = false;
      after_dashdash = true;
      continue;
    }
    if (reading_options && !placeholder && text == "-" && name == "env") {
      continue; // env - is env -i
    }
    if (reading_options && prefix.size() > 1 && prefix.front() == '-') {
      const OptionWord read = read_option(spec, prefix, placeholder);
      if (!read.unknown.empty()) {
        if (placeholder && read.unknown.ends_with("...")) {
          option(j, name, k_after_command);
          continue;
        }
        unknown_from(j, name, read.unknown);
        return;
      }
      for (const auto& key : read.keys) {
        if (key == "u" || key == "user") {
          user_given = true;
        }
        if (in_list(spec.code, key)) {
          // Its argument, and everything after it, is code or goes to a shell.
          const std::string who = name + " " + (key.size() > 1 ? "--" : "-") + key;
          opaque_from(read.argument_next ? j + 1 : j, who, spec.why);
          return;
        }
      }
      std::size_t argument = j;
      if (read.argument_next && j + 1 < m_words.size()) {
        argument = ++j;
      }
      if (has_placeholder(m_words[argument]) && in_list(spec.risky, read.argument_of)) {
        program(argument, name, "program or directory");
      }
      continue;
    }
    if (reading_options && spec.assignments && prefix.find('=') != std::string::npos &&
        prefix.front() != '=') {
      if (placeholder) {
        report(j, [&](const std::string& where, const std::string& variable, const Piece&) {
          return "placeholder " + where + " sets an environment variable through " + name +
                 ", where a value may become code (LD_PRELOAD, BASH_ENV, ...); the handler already gets " +
                 variable + " in its environment";
        });
      }
      continue;
    }
    if (operands > 0) {
      --operands;
      reading_options = reading_options && spec.permutes;
      if (placeholder && (spec.operand_risky || prefix.empty() || prefix.front() == '-')) {
        if (spec.operand_risky) {
          program(j, name, "root directory");
        } else {
          option(j, name, k_after_command);
        }
      }
      if (name == "flock" && !placeholder && !text.empty() &&
          std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return; // flock FD: no command
      }
      continue;
    }
    // The command.
    if (name == "flock" && !placeholder && (text == "-c" || text == "--command")) {
      opaque_from(j + 1, "flock " + text, spec.why);
      return;
    }
    if (name == "runuser" && !user_given) {
      opaque_from(j, name, spec.why); // runuser USER [-c CMD] [ARGS]: the user's shell runs them
      return;
    }
    if (placeholder) {
      program(j, name, "program");
      return;
    }
    if (spec.permutes && !after_dashdash) {
      dash_values_from(j + 1, name);
    }
    follow(j);
    return;
  }
}

void Guard::find(std::size_t at) {
  for (std::size_t j = at + 1; j + 1 < m_words.size(); ++j) {
    const Word& word = m_words[j];
    if (has_placeholder(word)) {
      continue;
    }
    const std::string text = display(word);
    if (text == "-exec" || text == "-execdir" || text == "-ok" || text == "-okdir") {
      if (has_placeholder(m_words[j + 1])) {
        program(j + 1, "find " + text, "program");
      } else {
        follow(j + 1);
      }
    }
  }
}

} // namespace

std::vector<std::string> code_placeholder_problems(const std::vector<CommandTemplate::Word>& words) {
  if (words.empty() || has_placeholder(words.front())) {
    return {}; // the program path is refused on its own
  }
  return Guard(words).run();
}

} // namespace eventmgr::handlers
