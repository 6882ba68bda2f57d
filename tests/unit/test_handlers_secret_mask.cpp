// SPDX-License-Identifier: MIT
#include "handlers/secret_mask.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using eventmgr::handlers::SecretMask;

namespace {

// The expected result, computed another way: every byte of every occurrence of a secret (of
// at least 3 bytes) marked, each run of marked bytes replaced by "***".
std::string reference(const std::string& text, const std::vector<std::string>& secrets) {
  std::vector<bool> hidden(text.size(), false);
  for (const auto& secret : secrets) {
    if (secret.size() < 3) {
      continue;
    }
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 1)) {
      std::fill(hidden.begin() + static_cast<std::ptrdiff_t>(at),
                hidden.begin() + static_cast<std::ptrdiff_t>(at + secret.size()), true);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!hidden[i]) {
      out.push_back(text[i]);
    } else if (i == 0 || !hidden[i - 1]) {
      out += "***";
    }
  }
  return out;
}

std::string in_pieces(SecretMask& mask, std::string_view text, std::vector<std::size_t> cuts) {
  std::string out;
  std::size_t from = 0;
  cuts.push_back(text.size());
  for (std::size_t cut : cuts) {
    mask.feed(text.substr(from, cut - from), out);
    from = cut;
  }
  mask.finish(out);
  return out;
}

} // namespace

TEST_SUITE_BEGIN("handlers::SecretMask");

TEST_CASE("a secret is masked wherever the stream is cut, even between two reads") {
  const std::string secret = "Hunter2-pass";
  const std::string text = "before " + secret + " middle " + secret + secret + "\nafter " + secret;
  const std::string want = "before *** middle ***\nafter ***";
  SecretMask mask({secret});
  REQUIRE_FALSE(mask.empty());
  CHECK(mask.masked(text) == want);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    CAPTURE(cut);
    CHECK(in_pieces(mask, text, {cut}) == want);
  }
  for (std::size_t first = 0; first <= text.size(); ++first) {
    for (std::size_t second = first; second <= text.size(); ++second) {
      CAPTURE(first);
      CAPTURE(second);
      REQUIRE(in_pieces(mask, text, {first, second}) == want);
    }
  }
}

TEST_CASE("a stream given one byte at a time is masked as a whole") {
  const std::vector<std::string> secrets = {"s3cret", "cret99", "abcabc"};
  const std::string text = "xs3cret99y abcabcabc s3cre s3cret-s3cret abcab cret9 cret99";
  SecretMask mask(secrets);
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < text.size(); ++i) {
    cuts.push_back(i);
  }
  const std::string want = reference(text, secrets);
  CHECK(want == "x***y *** s3cre ***-*** abcab cret9 ***");
  CHECK(in_pieces(mask, text, cuts) == want);
}

TEST_CASE("overlapping, nested and adjacent secrets are hidden whole, as one ***") {
  SecretMask mask({"abcd", "cdef", "secret", "secret-long", "xyz"});
  CHECK(mask.masked("abcdef") == "***");
  CHECK(mask.masked("1abcdef2") == "1***2");
  CHECK(mask.masked("secret-long") == "***");
  CHECK(mask.masked("secret-lo") == "***-lo");
  CHECK(mask.masked("secretsecret") == "***");
  CHECK(mask.masked("xyzabcd xyz") == "*** ***");
  const std::string text = "..abcdefsecret-longxyz..secret-lon.cdefabcd";
  for (std::size_t first = 0; first <= text.size(); ++first) {
    for (std::size_t second = first; second <= text.size(); ++second) {
      CAPTURE(first);
      CAPTURE(second);
      REQUIRE(in_pieces(mask, text, {first, second}) == "..***..***-lon.***");
    }
  }
}

TEST_CASE("text without a secret, or with only part of one, passes unchanged") {
  SecretMask mask({"password1"});
  const std::string text = "no secret here, only passwor and assword1 and password";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    CHECK(in_pieces(mask, text, {cut}) == text);
  }
  CHECK(mask.masked("") == "");
  CHECK(mask.masked(std::string("\0password1\0", 11)) == std::string("\0***\0", 5));
}

TEST_CASE("secrets shorter than three bytes are not masked") {
  SecretMask none({"", "a", "12"});
  CHECK(none.empty());
  CHECK(none.masked("a 12 a12") == "a 12 a12");
  SecretMask some({"ab", "abc"});
  CHECK_FALSE(some.empty());
  CHECK(some.masked("ab abc abcd") == "ab *** ***d");
}

TEST_SUITE_END();
