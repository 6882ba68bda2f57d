// SPDX-License-Identifier: MIT
#include "handlers/command_template.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using eventmgr::events::Event;
using eventmgr::events::EventDef;
using eventmgr::events::EventKind;
using eventmgr::events::ParamDef;
using eventmgr::handlers::build_environment;
using eventmgr::handlers::CommandTemplate;
using eventmgr::handlers::Handler;
using Args = std::vector<std::string>;

namespace {

// Built by hand so that these tests do not depend on the catalog loader.
EventDef client_create() {
  EventDef def;
  def.name = "client_create";
  def.description = "Client account created";
  def.group = "client events";
  def.kind = EventKind::create;
  def.key = "login_name";
  def.params = {
      ParamDef{"contact_name", "Contact name", false, false},
      ParamDef{"login_name", "Login name", true, false},
      ParamDef{"password", "Password", false, true},
      ParamDef{"email", "E-mail", false, false},
  };
  return def;
}

Handler make_handler(std::string command, std::vector<std::string> params = {}, bool secrets = false) {
  Handler handler;
  handler.id = 7;
  handler.event = "client_create";
  handler.command = std::move(command);
  handler.params = std::move(params);
  handler.secrets = secrets;
  return handler;
}

Event john_doe() {
  Event event;
  event.name = "client_create";
  event.seq = 42;
  event.new_values = {
      {"contact_name", "John Doe"}, {"login_name", "jdoe"}, {"password", "s3cret"}, {"email", ""}};
  event.old_values = {{"contact_name", ""}, {"login_name", "old-jdoe"}, {"password", ""}, {"email", ""}};
  return event;
}

CommandTemplate parse_ok(const std::string& command, std::vector<std::string> params = {},
                         bool secrets = false) {
  auto parsed = CommandTemplate::parse(make_handler(command, std::move(params), secrets), client_create());
  INFO("command: ", command);
  REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? std::string() : parsed.error().message));
  return *parsed;
}

Args render(const std::string& command, std::vector<std::string> params = {},
            const Event& event = john_doe()) {
  return parse_ok(command, std::move(params), false).render(event);
}

std::string parse_error(const std::string& command, std::vector<std::string> params = {},
                        bool secrets = false) {
  auto parsed = CommandTemplate::parse(make_handler(command, std::move(params), secrets), client_create());
  INFO("command: ", command);
  REQUIRE_FALSE(parsed.ok());
  return parsed.error().message;
}

// The catalog decides the order of full names; the message format is what is tested here.
std::string valid_list(bool brackets) {
  std::string out;
  for (const auto& name : client_create().full_names()) {
    out += (out.empty() ? "" : ", ") + (brackets ? "<" + name + ">" : name);
  }
  return out;
}

} // namespace

TEST_SUITE_BEGIN("handlers::CommandTemplate");

TEST_CASE("The seed's example passes the contact name and login as $1 and $2") {
  auto parsed = parse_ok(R"("/path with space/test-handler.sh" <new_contact_name> <new_login_name>)");
  CHECK(parsed.program() == "/path with space/test-handler.sh");
  CHECK(parsed.render(john_doe()) == Args{"/path with space/test-handler.sh", "John Doe", "jdoe"});
}

TEST_CASE("Commands are split into words like a POSIX shell, without expansion") {
  SUBCASE("blanks and tabs separate words, leading and trailing ones are ignored") {
    CHECK(render("  /bin/echo  a\tb \t c  ") == Args{"/bin/echo", "a", "b", "c"});
  }
  SUBCASE("single quotes keep everything literal") {
    CHECK(render(R"(/bin/echo 'a "b" \ $x \')") == Args{"/bin/echo", R"(a "b" \ $x \)"});
  }
  SUBCASE("double quotes group and unescape \\\" \\\\ \\$ \\`, other backslashes stay") {
    CHECK(render(R"(/bin/echo "a \"b\" \\ \$x \` \n 'q'")") == Args{"/bin/echo", R"(a "b" \ $x ` \n 'q')"});
  }
  SUBCASE("a backslash outside quotes escapes the next character") {
    CHECK(render(R"(/bin/echo a\ b \' \" \\)") == Args{"/bin/echo", "a b", "'", "\"", "\\"});
  }
  SUBCASE("adjacent quoted and unquoted parts join into one word") {
    CHECK(render(R"(/bin/echo pre'mid dle'"po st"end)") == Args{"/bin/echo", "premid dlepo stend"});
  }
  SUBCASE("empty quotes are one empty word each") {
    CHECK(render(R"(/bin/echo "" '' x "")") == Args{"/bin/echo", "", "", "x", ""});
  }
  SUBCASE("shell syntax is plain text") {
    CHECK(render("/bin/echo ; | && > 2>&1 a<b $(id) `id` * # ~ $HOME") ==
          Args{"/bin/echo", ";", "|", "&&", ">", "2>&1", "a<b", "$(id)", "`id`", "*", "#", "~", "$HOME"});
  }
}

TEST_CASE("A placeholder becomes one argument or part of one") {
  SUBCASE("a word that is exactly a placeholder") {
    CHECK(render("/bin/h <new_login_name>") == Args{"/bin/h", "jdoe"});
  }
  SUBCASE("a placeholder inside a word") {
    CHECK(render("/bin/h --login=<new_login_name> <new_login_name>:<new_contact_name>") ==
          Args{"/bin/h", "--login=jdoe", "jdoe:John Doe"});
  }
  SUBCASE("placeholders inside double and single quotes are replaced too: quotes only group") {
    CHECK(render(R"(/bin/h "name: <new_contact_name>" '<new_login_name>')") ==
          Args{"/bin/h", "name: John Doe", "jdoe"});
  }
  SUBCASE("old and new values come from their own side") {
    CHECK(render("/bin/h <old_login_name> <new_login_name>") == Args{"/bin/h", "old-jdoe", "jdoe"});
  }
  SUBCASE("a backslash before < keeps the placeholder text literal") {
    CHECK(render(R"(/bin/h \<new_login_name> '\'<new_login_name>)") ==
          Args{"/bin/h", "<new_login_name>", "\\jdoe"});
  }
  SUBCASE("a < that does not start <[a-z0-9_]+> is text") {
    CHECK(render("/bin/h <> <Foo> <new login> <new_login_name <new-x> a<b x>y") ==
          Args{"/bin/h", "<>", "<Foo>", "<new", "login>", "<new_login_name", "<new-x>", "a<b", "x>y"});
  }
}

TEST_CASE("An empty value keeps its argument's position") {
  Event event = john_doe();
  event.new_values["contact_name"] = "";
  event.new_values.erase("email"); // an absent value is empty too
  CHECK(render("/bin/h <new_contact_name> <new_login_name> --email=<new_email> <new_email>", {}, event) ==
        Args{"/bin/h", "", "jdoe", "--email=", ""});
}

TEST_CASE("%k placeholders refer to the handler's params in order") {
  SUBCASE("in any order and more than once") {
    CHECK(render("/bin/h %2 %1 --login=%2 %2", {"new_contact_name", "new_login_name"}) ==
          Args{"/bin/h", "jdoe", "John Doe", "--login=jdoe", "jdoe"});
  }
  SUBCASE("params may be written as the seed writes them, in angle brackets") {
    CHECK(render("/bin/h %1", {"<new_login_name>"}) == Args{"/bin/h", "jdoe"});
  }
  SUBCASE("%% is a literal % and a % before anything but a digit is text") {
    CHECK(render("/bin/h %%1 100% +%F %1%% 50%%off %", {"new_login_name"}) ==
          Args{"/bin/h", "%1", "100%", "+%F", "jdoe%", "50%off", "%"});
  }
  SUBCASE("a backslash before % or the digit keeps the text literal") {
    CHECK(render(R"(/bin/h \%1 %\1 %1)", {"new_login_name"}) == Args{"/bin/h", "%1", "%1", "jdoe"});
  }
  SUBCASE("%k inside quotes is replaced") {
    CHECK(render(R"(/bin/h "login %1" 'x%1')", {"new_login_name"}) == Args{"/bin/h", "login jdoe", "xjdoe"});
  }
}

TEST_CASE("The %k numbers must be exactly the declared params, from %1 without gaps") {
  SUBCASE("a number beyond the declared params") {
    CHECK(parse_error("/bin/h %1 %2 %3 %4", {"new_login_name", "new_contact_name", "new_email"}) ==
          "%4 is used but only 3 params are declared; the command may use %1..%3");
  }
  SUBCASE("a number with no params declared") {
    CHECK(parse_error("/bin/h %1") ==
          "%1 is used but no params are declared; declare one --param NAME per placeholder, in order");
  }
  SUBCASE("a gap in the sequence") {
    CHECK(parse_error("/bin/h %1 %3", {"new_login_name", "new_contact_name", "new_email"}) ==
          "params declared: 3, but %2 is never used; the command must use each of %1..%3");
  }
  SUBCASE("a declared param that is never used") {
    CHECK(parse_error("/bin/h <new_login_name>", {"new_login_name"}) ==
          "params declared: 1, but %1 is never used; the command must use each of %1");
  }
  SUBCASE("%0") {
    CHECK(parse_error("/bin/h %0") ==
          "%0 is not a placeholder: numbering starts at %1; write %%0 for the text %0");
  }
  SUBCASE("a huge number") {
    CHECK(parse_error("/bin/h %1 %99999999999999999999999", {"new_login_name"}) ==
          "%10000000 is used but only 1 param is declared; the command may use %1");
  }
  SUBCASE("a param that is not a parameter of the event") {
    CHECK(parse_error("/bin/h %1 %2", {"new_login_name", "new_bogus"}) ==
          "unknown parameter new_bogus (%2) for event client_create; valid: " + valid_list(false));
  }
}

TEST_CASE("A name that is not a parameter of the event is refused, naming the valid ones") {
  SUBCASE("an unknown name") {
    CHECK(parse_error("/bin/h <new_bogus>") ==
          "unknown parameter <new_bogus> for event client_create; valid: " + valid_list(true));
  }
  SUBCASE("a base name without old_ or new_") {
    CHECK(parse_error("/bin/h --login=<login_name>") ==
          "unknown parameter <login_name> for event client_create; valid: " + valid_list(true));
  }
  SUBCASE("inside quotes") {
    CHECK(parse_error("/bin/h 'x <old_bogus> y'") ==
          "unknown parameter <old_bogus> for event client_create; valid: " + valid_list(true));
  }
  SUBCASE("an event without parameters") {
    EventDef def;
    def.name = "server_restart";
    auto parsed = CommandTemplate::parse(make_handler("/bin/h <new_x>"), def);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message ==
          "unknown parameter <new_x> for event server_restart; valid: none (the event has no parameters)");
  }
}

TEST_CASE("The program must be an absolute path without placeholders") {
  SUBCASE("a bare file name") {
    CHECK(parse_error("foo.sh <new_login_name>") ==
          "program path 'foo.sh' is not absolute; write the full path, e.g. /usr/local/bin/foo.sh");
  }
  SUBCASE("a relative path") {
    CHECK(parse_error("./scripts/foo.sh") ==
          "program path './scripts/foo.sh' is not absolute; write the full path, e.g. /usr/local/bin/foo.sh");
  }
  SUBCASE("an empty word") {
    CHECK(parse_error("'' x") ==
          "program path '' is not absolute; write the full path, e.g. /usr/local/bin/handler.sh");
  }
  SUBCASE("a <name> placeholder") {
    CHECK(parse_error("/opt/<new_login_name>.sh") ==
          "program path '/opt/<new_login_name>.sh' may not contain a placeholder; pass values as arguments");
  }
  SUBCASE("a %k placeholder") {
    CHECK(parse_error("%1", {"new_login_name"}) ==
          "program path '%1' may not contain a placeholder; pass values as arguments");
  }
  SUBCASE("a quoted path with blanks is fine") {
    CHECK(parse_ok("'/opt/my scripts/h.sh'").program() == "/opt/my scripts/h.sh");
  }
}

TEST_CASE("A command that cannot be split is refused") {
  SUBCASE("empty") {
    CHECK(parse_error("") ==
          "command is empty; write the absolute path of a program first, e.g. /usr/local/bin/handler.sh");
  }
  SUBCASE("only blanks") {
    CHECK(parse_error(" \t ") ==
          "command is empty; write the absolute path of a program first, e.g. /usr/local/bin/handler.sh");
  }
  SUBCASE("an unterminated single quote") {
    CHECK(parse_error("/bin/h 'abc") ==
          "command has an unterminated single quote at column 8; add the closing '");
  }
  SUBCASE("an unterminated double quote") {
    CHECK(parse_error(R"(/bin/h "a\")") ==
          "command has an unterminated double quote at column 8; add the closing \"");
  }
  SUBCASE("a trailing backslash") {
    CHECK(parse_error("/bin/h a\\") ==
          "command ends with a lone backslash; write \\\\ for a literal backslash");
  }
  SUBCASE("a newline, even quoted") {
    CHECK(parse_error("/bin/h 'a\nb'") ==
          "command contains a line break at column 10; write the command on one line");
  }
  SUBCASE("a carriage return") {
    CHECK(parse_error("/bin/h\r") ==
          "command contains a line break at column 7; write the command on one line");
  }
  SUBCASE("another control character") {
    CHECK(parse_error("/bin/h \x1b[1m") == "command contains control character 0x1b at column 8; remove it");
  }
}

TEST_CASE("A placeholder inside a shell's -c script is refused") {
  const std::string advice = " -c would be parsed as shell code; pass values as positional arguments and use "
                             "\"$1\" instead, e.g. /bin/sh -c 'logger -- \"$1\"' sh ";
  SUBCASE("sh -c with <name>") {
    CHECK(parse_error("/bin/sh -c 'echo <new_login_name>'") ==
          "placeholder <new_login_name> inside the script of sh" + advice +
              "<new_login_name>, or read $NEW_LOGIN_NAME from the environment");
  }
  SUBCASE("bash with options clustered around c") {
    CHECK(parse_error(R"(/usr/bin/bash -ec "id <new_login_name>")") ==
          "placeholder <new_login_name> inside the script of bash" + advice +
              "<new_login_name>, or read $NEW_LOGIN_NAME from the environment");
  }
  SUBCASE("options with arguments before and after -c") {
    CHECK(parse_error("/bin/dash -o errexit -c -e 'x=%1'", {"new_login_name"}) ==
          "placeholder %1 inside the script of dash" + advice +
              "%1, or read $NEW_LOGIN_NAME from the environment");
  }
  SUBCASE("a shell run through env") {
    CHECK(parse_error("/usr/bin/env -i LANG=C zsh -c 'echo <new_contact_name>'") ==
          "placeholder <new_contact_name> inside the script of zsh" + advice +
              "<new_contact_name>, or read $NEW_CONTACT_NAME from the environment");
  }
  SUBCASE("values passed as positional arguments are accepted") {
    CHECK(render(R"(/bin/sh -c 'echo "$1" "$2"' sh <new_login_name> %1)", {"new_contact_name"}) ==
          Args{"/bin/sh", "-c", R"(echo "$1" "$2")", "sh", "jdoe", "John Doe"});
  }
  SUBCASE("a shell running a script file is accepted") {
    CHECK(render("/bin/bash /opt/h.sh <new_login_name>") == Args{"/bin/bash", "/opt/h.sh", "jdoe"});
  }
}

// The review's table (security review 2026-12, F5): each of its lines ran the value as code.
TEST_CASE("A placeholder that an interpreter reads as code is refused wherever the interpreter stands") {
  const std::vector<std::string> commands{
      "/bin/sh -c <new_login_name>",
      "/usr/bin/env sh -c <new_login_name>",
      "/usr/bin/busybox sh -c <new_login_name>",
      "/usr/bin/timeout 30 /bin/sh -c <new_login_name>",
      "/usr/bin/nice -n 5 /bin/bash -c <new_login_name>",
      "/usr/bin/setsid /bin/sh -c <new_login_name>",
      "/usr/bin/env -S 'sh -c' <new_login_name>",
      "/usr/bin/python3 -c <new_login_name>",
      "/usr/bin/perl -e <new_login_name>",
      "/bin/rbash -c <new_login_name>",
      "/usr/bin/flock /tmp/l -c <new_login_name>",
      "/usr/bin/su nobody -s /bin/sh -c <new_login_name>",
      "/usr/bin/sed -e <new_login_name>",
      // and more of the same kind
      "/usr/bin/timeout --signal KILL 30 /usr/bin/nice -n 5 /bin/sh -ec 'id <new_login_name>'",
      "/usr/bin/ionice -c3 /usr/bin/stdbuf -oL /usr/bin/python3.11 -c 'print(\"<new_login_name>\")'",
      "/bin/sh -c<new_login_name>",
      "/usr/bin/python3 -c<new_login_name>",
      "/usr/bin/perl -e'print \"<new_login_name>\"'",
      "/usr/bin/perl5.36.0 -Mstrict -E <new_login_name>",
      "/usr/bin/ruby -e <new_login_name>",
      "/usr/bin/php -r <new_login_name>",
      "/usr/bin/node --eval <new_login_name>",
      "/usr/bin/node --eval=<new_login_name>",
      "/usr/bin/lua5.4 -e <new_login_name>",
      "/usr/bin/awk '{print \"<new_login_name>\"}'",
      "/usr/bin/gawk -F: -v x=1 <new_login_name> /etc/passwd",
      "/usr/bin/sed 's/x/<new_login_name>/' /tmp/f",
      "/usr/bin/sed --expression=<new_login_name>",
      "/usr/bin/env -S<new_login_name>",
      "/usr/bin/env --split-string=<new_login_name>",
      "/usr/bin/flock -w 5 /tmp/l --command <new_login_name>",
      "/usr/sbin/runuser nobody -c <new_login_name>",
      "/usr/bin/sudo -u nobody /bin/sh -c <new_login_name>",
      "/usr/bin/xargs -0 /bin/sh -c <new_login_name>",
      "/usr/bin/find /srv -name x -exec /bin/sh -c <new_login_name> ;",
      "/usr/bin/watch -n 5 /bin/echo <new_login_name>",
      "/usr/bin/ssh host /bin/echo <new_login_name>",
      "/usr/bin/script -qc <new_login_name> /dev/null",
      "/usr/sbin/chroot /srv /bin/bash -c <new_login_name>",
      "/usr/bin/setpriv --reuid 65534 --clear-groups /bin/sh -c <new_login_name>",
  };
  for (const auto& command : commands) {
    CAPTURE(command);
    CHECK(!CommandTemplate::parse(make_handler(command), client_create()).ok());
  }
}

TEST_CASE("A placeholder may not choose the program or script an interpreter or wrapper runs") {
  CHECK(parse_error("/usr/bin/timeout 30 <new_login_name>") ==
        "placeholder <new_login_name> in word 3 would choose the program that timeout runs; name the program "
        "literally and pass values as its arguments");
  CHECK(parse_error("/bin/sh <new_login_name>") ==
        "placeholder <new_login_name> in word 2 would choose the script file that sh runs; name the script "
        "file literally and pass values as its arguments");
  CHECK(parse_error("/usr/bin/python3 -u /opt/<new_login_name>.py") ==
        "placeholder <new_login_name> in word 3 would choose the script file that python3 runs; name the "
        "script "
        "file literally and pass values as its arguments");
}

TEST_CASE("A placeholder where an interpreter still reads options is refused") {
  CHECK(
      parse_error("/usr/bin/perl -e 'print @ARGV' <new_login_name>") ==
      "placeholder <new_login_name> in word 4 stands where perl still reads options: a value starting with - "
      "would be an option (such as one that runs code); put it after the script file or behind a literal --, "
      "or read $NEW_LOGIN_NAME from the environment");
  CHECK(parse_error("/bin/sh -s <new_login_name>").find("stands where sh still reads options") !=
        std::string::npos);
  CHECK(
      parse_error("/usr/bin/python3 -W <new_login_name> /opt/x.py") ==
      "placeholder <new_login_name> in word 3 is the argument of -W, which python3 reads before its code (an "
      "option's argument may load code); read $NEW_LOGIN_NAME from the environment instead");
  CHECK(parse_error("/usr/bin/perl -I <new_login_name> /opt/x.pl")
            .find("would be run as code by perl (the argument of -I)") != std::string::npos);
}

TEST_CASE("The refusal names the word, the interpreter and what to do instead") {
  CHECK(
      parse_error("/usr/bin/timeout 30 /usr/bin/python3 -c <new_login_name>") ==
      "placeholder <new_login_name> in word 5 would be run as code by python3 (the argument of -c); pass the "
      "value as a separate argument after the code, or read $NEW_LOGIN_NAME from the environment");
  CHECK(parse_error("/usr/bin/env -S 'sh -c' <new_login_name>") ==
        "placeholder <new_login_name> in word 4 follows env -S, which splits a string into a command: the "
        "value may become code; read $NEW_LOGIN_NAME from the environment in a script instead");
  CHECK(
      parse_error("/usr/bin/env FOO=<new_login_name> /opt/h") ==
      "placeholder <new_login_name> in word 2 sets an environment variable through env, where a value may "
      "become code (LD_PRELOAD, BASH_ENV, ...); the handler already gets $NEW_LOGIN_NAME in its environment");
  CHECK(parse_error("/usr/bin/node --frobnicate x /opt/a.js <new_login_name>") ==
        "placeholder <new_login_name> in word 5: eventmgr does not know the option '--frobnicate' of node, "
        "so it "
        "cannot tell whether the value would be code or an option; write the option as --name=VALUE if it "
        "takes "
        "one, or read $NEW_LOGIN_NAME from the environment");
}

TEST_CASE("Values passed as plain arguments behind known wrappers and interpreters are accepted") {
  const std::vector<std::pair<std::string, Args>> accepted{
      {"/usr/bin/timeout 30 /usr/local/bin/x.sh <new_login_name>",
       {"/usr/bin/timeout", "30", "/usr/local/bin/x.sh", "jdoe"}},
      {"/bin/sh /usr/local/bin/x.sh <new_login_name>", {"/bin/sh", "/usr/local/bin/x.sh", "jdoe"}},
      {"/bin/sh -c 'script \"$1\"' sh <new_login_name>", {"/bin/sh", "-c", "script \"$1\"", "sh", "jdoe"}},
      {"/bin/sh -c 'script \"$0\"' <new_login_name>", {"/bin/sh", "-c", "script \"$0\"", "jdoe"}},
      {"/usr/bin/nice -n 5 /usr/bin/ionice -c3 /opt/h <new_login_name>",
       {"/usr/bin/nice", "-n", "5", "/usr/bin/ionice", "-c3", "/opt/h", "jdoe"}},
      {"/usr/bin/python3 -c 'import sys; print(sys.argv[1])' <new_login_name>",
       {"/usr/bin/python3", "-c", "import sys; print(sys.argv[1])", "jdoe"}},
      {"/usr/bin/python3 -u /opt/x.py <new_login_name>", {"/usr/bin/python3", "-u", "/opt/x.py", "jdoe"}},
      {"/usr/bin/perl -e 'print @ARGV' -- <new_login_name>",
       {"/usr/bin/perl", "-e", "print @ARGV", "--", "jdoe"}},
      {"/usr/bin/perl -w /opt/x.pl <new_login_name>", {"/usr/bin/perl", "-w", "/opt/x.pl", "jdoe"}},
      {"/usr/bin/awk '{print}' /srv/<new_login_name>/log", {"/usr/bin/awk", "{print}", "/srv/jdoe/log"}},
      {"/usr/bin/awk -v name=<new_login_name> 'BEGIN { print name }'",
       {"/usr/bin/awk", "-v", "name=jdoe", "BEGIN { print name }"}},
      {"/usr/bin/perl -i.bak -pe s/a/b/ /srv/<new_login_name>",
       {"/usr/bin/perl", "-i.bak", "-pe", "s/a/b/", "/srv/jdoe"}},
      {"/usr/bin/sed -e s/a/b/ -- <new_login_name>", {"/usr/bin/sed", "-e", "s/a/b/", "--", "jdoe"}},
      {"/usr/bin/flock /var/lock/<new_login_name>.lock /opt/h <new_login_name>",
       {"/usr/bin/flock", "/var/lock/jdoe.lock", "/opt/h", "jdoe"}},
      {"/usr/sbin/runuser -u <new_login_name> -- /opt/h <new_login_name>",
       {"/usr/sbin/runuser", "-u", "jdoe", "--", "/opt/h", "jdoe"}},
      {"/usr/bin/sudo -u www-data /opt/h <new_login_name>",
       {"/usr/bin/sudo", "-u", "www-data", "/opt/h", "jdoe"}},
      {"/usr/bin/env -i LANG=C /opt/h <new_login_name>", {"/usr/bin/env", "-i", "LANG=C", "/opt/h", "jdoe"}},
      {"/usr/bin/find /srv -name <new_login_name> -exec /bin/rm -- {} ;",
       {"/usr/bin/find", "/srv", "-name", "jdoe", "-exec", "/bin/rm", "--", "{}", ";"}},
      // An unknown program is not followed: bash here is useradd's login shell, not a command.
      {"/usr/sbin/useradd -m -s /bin/bash -c <new_contact_name> <new_login_name>",
       {"/usr/sbin/useradd", "-m", "-s", "/bin/bash", "-c", "John Doe", "jdoe"}},
  };
  for (const auto& item : accepted) {
    const std::string& command = item.first; // a structured binding cannot be captured (clang 14)
    CAPTURE(command);
    CHECK(render(command) == item.second);
  }
}

TEST_CASE("A secret parameter is never put in argv, even with --secrets") {
  const std::string refusal =
      "parameter <new_password> is secret and may not be in the command: every local user can read a "
      "command line (ps); register the handler with --secrets and read $NEW_PASSWORD from the environment, "
      "or use --stdin json";
  SUBCASE("as <name>") {
    CHECK(parse_error("/bin/h <new_password>") == refusal);
    CHECK(parse_error("/bin/h <new_password>", {}, true) == refusal);
  }
  SUBCASE("inside a word") {
    CHECK(parse_error("/bin/h --pw=<new_password>", {}, true) == refusal);
  }
  SUBCASE("as %k") {
    CHECK(parse_error("/bin/h %1", {"new_password"}, true) == refusal);
    CHECK(
        parse_error("/bin/h %1", {"<old_password>"}) ==
        "parameter <old_password> is secret and may not be in the command: every local user can read a "
        "command line (ps); register the handler with --secrets and read $OLD_PASSWORD from the environment, "
        "or use --stdin json");
  }
  SUBCASE("with --secrets the rest of the command is fine, and nothing secret is in argv") {
    auto parsed = parse_ok("/bin/h <new_login_name>", {}, true);
    CHECK(parsed.render(john_doe()) == Args{"/bin/h", "jdoe"});
    CHECK(parsed.render_redacted(john_doe()) == Args{"/bin/h", "jdoe"});
  }
}

TEST_CASE("Every problem of a command is reported at once, one per line") {
  CHECK(parse_error("foo.sh <new_bogus> <new_password>") ==
        "unknown parameter <new_bogus> for event client_create; valid: " + valid_list(true) + "\n" +
            "parameter <new_password> is secret and may not be in the command: every local user can read a "
            "command line (ps); register the handler with --secrets and read $NEW_PASSWORD from the "
            "environment, "
            "or use --stdin json\n" +
            "program path 'foo.sh' is not absolute; write the full path, e.g. /usr/local/bin/foo.sh");
}

TEST_CASE("A hostile value reaches the program as one argument, byte for byte") {
  std::string binary;
  for (int c = 1; c < 256; ++c) {
    binary += static_cast<char>(c);
  }
  std::string big(64 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); i += 97) {
    big[i] = ' ';
  }
  const std::vector<std::string> corpus{
      "",
      " ",
      "John \"Johnny\" O'Doe",
      "; rm -rf / #",
      "$(id) ${HOME} $HOME",
      "`id`",
      "a b\tc",
      "line1\nline2\r\n",
      "* ? [a-z] ~",
      "--help",
      "-n",
      "\\ \\\\ \\\"",
      "<new_login_name> %1 %% \\<",
      "J\xc3\xbcrgen M\xc3\xbcller \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x89",
      binary,
      big,
  };
  const auto parsed = parse_ok("/bin/h <new_contact_name> x<new_contact_name>y %1", {"new_contact_name"});
  for (const auto& value : corpus) {
    CAPTURE(value.size());
    Event event = john_doe();
    event.new_values["contact_name"] = value;
    const Args argv = parsed.render(event);
    REQUIRE(argv.size() == 4);
    CHECK(argv[0] == "/bin/h");
    CHECK(argv[1] == value);
    CHECK(argv[2] == "x" + value + "y");
    CHECK(argv[3] == value);
  }
}

TEST_CASE("The environment holds the fixed variables and every parameter of the event") {
  Event event = john_doe();
  event.new_values["email"] = "a\nb=c";
  event.old_values.erase("email");
  SUBCASE("secret parameters are left out without --secrets") {
    const auto env = build_environment(event, client_create(), make_handler("/bin/h"), "alice", "/home/alice",
                                       "/bin/bash");
    CHECK(env == Args{
                     "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                     "HOME=/home/alice",
                     "USER=alice",
                     "LOGNAME=alice",
                     "SHELL=/bin/bash",
                     "LANG=C.UTF-8",
                     "EVENT=client_create",
                     "EVENTMGR_EVENT_ID=42",
                     "EVENTMGR_HANDLER_ID=7",
                     "EVENTMGR_ATTEMPT=1",
                     "NEW_CONTACT_NAME=John Doe",
                     "OLD_CONTACT_NAME=",
                     "NEW_LOGIN_NAME=jdoe",
                     "OLD_LOGIN_NAME=old-jdoe",
                     "NEW_EMAIL=a\nb=c",
                     "OLD_EMAIL=",
                 });
  }
  SUBCASE("secret parameters are included with --secrets") {
    const auto env = build_environment(event, client_create(), make_handler("/bin/h", {}, true), "alice",
                                       "/home/alice", "/bin/bash");
    CHECK(env.size() == 18);
    CHECK(std::find(env.begin(), env.end(), "NEW_PASSWORD=s3cret") != env.end());
    CHECK(std::find(env.begin(), env.end(), "OLD_PASSWORD=") != env.end());
  }
}

TEST_SUITE_END();
