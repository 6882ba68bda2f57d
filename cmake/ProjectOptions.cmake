# SPDX-License-Identifier: MIT
# Warning and sanitizer flags as INTERFACE targets, linked privately by every target.
add_library(project_warnings INTERFACE)
target_compile_options(project_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(EVENTMGR_WERROR)
  target_compile_options(project_warnings INTERFACE -Werror)
endif()

add_library(project_options INTERFACE)
target_compile_definitions(project_options INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>
  BOOST_ASIO_NO_DEPRECATED
  EVENTMGR_VERSION="${PROJECT_VERSION}")
set(_san "")
if(EVENTMGR_ASAN)
  list(APPEND _san address)
endif()
if(EVENTMGR_UBSAN)
  list(APPEND _san undefined)
endif()
if(EVENTMGR_TSAN)
  list(APPEND _san thread)
endif()
if(EVENTMGR_FUZZ)
  list(APPEND _san fuzzer-no-link)
endif()
if(_san)
  list(JOIN _san "," _san_list)
  target_compile_options(project_options INTERFACE -fsanitize=${_san_list} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  string(REPLACE "fuzzer-no-link" "" _san_link "${_san_list}")
  string(REGEX REPLACE ",+" "," _san_link "${_san_link}")
  string(REGEX REPLACE "^,|,$" "" _san_link "${_san_link}")
  if(_san_link)
    target_link_options(project_options INTERFACE -fsanitize=${_san_link})
  endif()
endif()
