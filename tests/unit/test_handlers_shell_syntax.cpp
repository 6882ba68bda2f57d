// SPDX-License-Identifier: MIT
#include "handlers/shell_syntax.hpp"

#include <doctest/doctest.h>

#include <string>

using eventmgr::handlers::shell_syntax_problems;

TEST_SUITE_BEGIN("handlers::shell_syntax");

TEST_CASE("redirections and control operators outside quotes are found, with the word and its number") {
  auto problems = shell_syntax_problems("/bin/echo <new_domain_name> >> /tmp/x.log");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] ==
        "word 3 '>>' is a redirection to a shell, but no shell runs the command: the program gets it as a plain "
        "argument. Put the shell part in a script (or /bin/sh -c 'SCRIPT' sh ARGS...), or give --literal if the "
        "program expects this word");
  for (const char* command : {"/bin/x a > b", "/bin/x 2>&1", "/bin/x >>/tmp/log", "/bin/x 2>/dev/null",
                              "/bin/x &>/dev/null", "/bin/x < in", "/bin/x <<<word", "/bin/x | mail root",
                              "/bin/x a && /bin/y", "/bin/x a || true", "/bin/x ; /bin/y", "/bin/x a;",
                              "/bin/x &", "/bin/x |& tee"}) {
    CAPTURE(std::string(command));
    CHECK(shell_syntax_problems(command).size() == 1);
  }
}

TEST_CASE("expansions outside single quotes are found") {
  for (const char* command : {"/bin/x $HOME", "/bin/x \"$NEW_LOGIN_NAME\"", "/bin/x ${USER}", "/bin/x $(id)",
                              "/bin/x `id`", "/bin/x --dir=$HOME/x", "/bin/x $1"}) {
    CAPTURE(std::string(command));
    auto problems = shell_syntax_problems(command);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("word 2") == 0);
  }
  CHECK(shell_syntax_problems("/bin/x $(id) `id` >> y").size() == 3);
}

TEST_CASE("quoted or escaped syntax, plain text and a shell's own script are left alone") {
  for (const char* command :
       {"/bin/x '>>' '|' ';' '$HOME' '$(id)'", "/bin/x \\>\\> \\| \\;", "/bin/x \">>\" \"a|b\"",
        "/bin/x a|b c=d e&f 2", "/bin/x 100% $ a$ x-$", "/usr/bin/date +%F", "/bin/x 5",
        "/bin/sh -c 'echo \"$1\" >> \"$HOME/log\"' sh <new_login_name>",
        "/bin/bash -ec 'exec $0 \"$@\"' /bin/x", "/bin/x <new_login_name> %1 %%",
        "/usr/bin/find /srv -name x -exec /bin/rm -- {} ;"}) {
    CAPTURE(std::string(command));
    CHECK(shell_syntax_problems(command).empty());
  }
}

TEST_CASE("the program word itself is not judged") {
  CHECK(shell_syntax_problems("/opt/a&b/run x").empty());
}

TEST_SUITE_END();
